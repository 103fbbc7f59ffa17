// The console's words for the staff page (administrators invite staff and see who has a login). Part of COPY
// (../copy.js), in a file of its own to keep each file short.

export const STAFF_MEMBERS = {
  staffMembers: {
    title: "Staff",
    section: "Staff",
    inviteHeading: "Invite a staff member",
    inviteHint: "We email them a temporary password. At their first sign-in they choose their own password and set up an authenticator app.",
    email: "Work email address",
    name: "Full name",
    role: "Role",
    chooseRole: "- Choose a role -",
    invite: "Send invitation",
    inviting: "Sending…",
    needEmail: "Enter their work email address, like name@agency.gov.",
    needName: "Enter their full name.",
    needRole: "Choose a role.",
    invited: (email) => `Invitation sent to ${email}. It holds a temporary password that lasts 3 days.`,
    notInvited: "The invitation was not sent",
    caption: "Staff with a login",
    empty: "No staff yet.",
    columns: { name: "Name", email: "Email", role: "Role", status: "Status", since: "Invited" },
    statuses: { invited: "Invited: has not signed in yet", active: "Active" },
    disabled: "Turned off",
  },
};
