// What each staff role may do, so the console hides the actions a role may not take. This mirrors
// arportal/domain/permissions.py for display only: the API enforces permissions on every call, and a 403 is shown
// as "not allowed" whatever this table says.

// exceptions.request: ask for a refund, void, reversal, adjustment or write-off; done at once when the role holds the
// action's own permission and the amount is within the threshold, otherwise sent for approval.
const AGENT = ["customers.read", "payments.take", "payments.refund", "payments.void", "exceptions.request", "interactions.write", "receipts.send"];
const MANAGER = ["payments.reverse", "adjustments.create", "approvals.decide", "audit.read", "reports.read"];

const ROLES = {
  agent: AGENT,
  supervisor: [...AGENT, ...MANAGER],
  finance: ["customers.read", "exceptions.request", ...MANAGER],
  admin: ["customers.read", "audit.read", "reports.read", "admin.users"],
};

const NAMES = { agent: "Agent", supervisor: "Supervisor", finance: "Finance", admin: "Administrator" };

/** The roles among a token's Cognito groups (unknown groups grant nothing). */
export function rolesOf(groups) {
  return (groups || []).filter((g) => Object.hasOwn(ROLES, g));
}

export function can(groups, permission) {
  return rolesOf(groups).some((role) => ROLES[role].includes(permission));
}

export function roleNames(groups) {
  const names = rolesOf(groups).map((role) => NAMES[role]);
  return names.length ? names.join(", ") : "No role";
}
