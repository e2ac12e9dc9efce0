/** Recognises "talk to a human"-style requests, which go to the `handoverRequested` port. */

// A request verb followed closely by a human-ish target: "can I speak to a real person?"
const REQUEST =
  /\b(talk|speak|chat|connect|transfer|put|get|reach|contact)\b[^.?!]{0,30}?\b(human|humans|person|agent|someone|somebody|representative|rep|operator|staff|people|support team|customer service)\b/iu;
// A bare demand: "agent", "human please!", "real person now".
const BARE =
  /^\s*(an? |the )?(human|agent|real person|live agent|live person|representative|operator|customer service)(\s+(please|now|pls))?\s*[.!?]*\s*$/iu;

export function isHandoverRequest(text: string): boolean {
  return REQUEST.test(text) || BARE.test(text);
}
