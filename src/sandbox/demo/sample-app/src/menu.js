// What the shop sells, in euros.
export const menu = [
  { name: 'Espresso', price: 0.9 },
  { name: 'Flat white', price: 1.1 },
  { name: 'Cappuccino', price: 1.2 },
];

// The order the page shows: three flat whites.
export const sampleOrder = { item: 'Flat white', quantity: 3 };
