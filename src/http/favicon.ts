// /favicon.ico: browsers ask for it on every page; without it each email-link page logs a 404.
// A 32×32 PNG in an ICO container (a white H on the service's green), made once and kept here
// as bytes so the built service needs no asset files.

import type { RequestHandler } from 'express';

const ICO = Buffer.from(
  'AAABAAEAICAAAAEAIACRAAAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAgAAAAIAgGAAAAc3p69AAAAFhJREFUeNpjYEACUvXm/+mBGbABelmO1RH0thzFEQNlOdwRow4Y9A5AB9RWP+qAUQeMOoBkB5AKRh0w/BwwmgtGHTDqALo7YLRNOPwdMOBds0HROR3I7jkAdieQAQp6nwUAAAAASUVORK5CYII=',
  'base64',
);

export const favicon: RequestHandler = (_req, res) => {
  res.status(200).set({ 'Content-Type': 'image/x-icon', 'Cache-Control': 'public, max-age=604800, immutable' }).send(ICO);
};
