import assert from 'node:assert/strict';
import { test } from 'node:test';
import { menu } from '../src/menu.js';
import { orderTotal } from '../src/price.js';

test('an order costs the unit price times the quantity', () => {
  assert.equal(orderTotal(2, 3), 6);
});

test('an order needs at least one item', () => {
  assert.throws(() => orderTotal(1.1, 0), RangeError);
});

test('everything on the menu has a price', () => {
  for (const item of menu) assert.ok(item.price > 0, item.name);
});
