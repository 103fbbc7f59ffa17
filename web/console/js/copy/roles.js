// The console's names for the staff roles (arportal/domain/permissions.py's Role), as the header and the staff page
// show them. Part of COPY (../copy.js), in a file of its own: web/build.py checks it names every role, and the
// generated roles.js takes its names from here.

export const ROLES = {
  roles: {
    names: { agent: "Agent", supervisor: "Supervisor", finance: "Finance", admin: "Administrator" },
    none: "No role",
  },
};
