// Prices and totals. Amounts are euros as numbers, so they need formatting for people.

export function orderTotal(unitPrice, quantity) {
  if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError('quantity must be a positive whole number');
  return unitPrice * quantity;
}

export function formatPrice(amount) {
  return `€${amount}`;
}
