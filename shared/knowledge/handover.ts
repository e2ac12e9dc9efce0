/**
 * Recognises "talk to a human"-style requests, which go to the `handoverRequested` port.
 *
 * Measured on real traffic (`npm run eval`, "Handover detection"): every CLINC150 utterance and
 * every HINT3 sentence that is not an agent request must not match, and HINT3's own "chat with
 * an agent" intents should. The verb must govern the person ("talk to an agent", "connect me
 * with someone"): a person merely mentioned near a request verb ("get a list of all people who
 * emailed me", "get an uber for two people") is not a request for one.
 */

// The person asked for: a role, optionally "real"/"live"; "someone" only after talk/speak/chat.
const PERSON =
  '(?:human|agent|representative|operator|executive|supervisor|manager|customer (?:service|support|care)(?: agent| representative| team)?)';
const ROLE = `(?:(?:real|live|actual|human)\\s+)?(?:${PERSON}|person|rep|staff(?: member)?|support(?: team| agent)?)`;
const DET = '(?:(?:a|an|the|your|one of your|some)\\s+)?';

// "talk to a human", "speak with someone", "chat with your agent", "talk a agent" (sic).
const TALK = new RegExp(
  `\\b(?:talk|speak|chat)(?:ing)?\\s+(?:(?:to|with)\\s+)?${DET}(?:${ROLE}|someone|somebody)\\b`,
  'iu',
);
// "connect me to an agent", "transfer me to a person", "put me through to a human".
const CONNECT = new RegExp(
  `\\b(?:connect|transfer|put)\\s+(?:me\\s+|us\\s+)?(?:through\\s+)?(?:(?:to|with)\\s+)?${DET}(?:${ROLE}|someone|somebody)\\b`,
  'iu',
);
// "get me a human", "I want a real person", "need an agent".
const ASK = new RegExp(
  `\\b(?:get|want|need|contact)\\s+(?:me\\s+)?(?:(?:(?:a|an)\\s+${ROLE})|${PERSON})\\b`,
  'iu',
);
// A message that opens with the person: "live person to talk", "agent to chat", "real person available".
const OPENS = new RegExp(
  `^\\s*(?:(?:real|live|actual)\\s+(?:person|human|agent)|${PERSON}\\s+(?:to|for)\\s+(?:chat|talk|help))\\b`,
  'iu',
);
// A bare demand: "agent", "human please!", "live agent", "chat agent now".
const BARE = new RegExp(
  `^\\s*(?:(?:an?|the)\\s+)?(?:chat\\s+)?${ROLE}(?:\\s+(?:please|now|pls))?\\s*[.!?]*\\s*$`,
  'iu',
);
// "I do not need an agent", "don't connect me to a person".
const NEGATED =
  /\b(?:not|no|don't|dont|never|without)\s+(?:\w+\s+){0,2}(?:need|want|talk|speak|chat|connect|transfer)\b/iu;

// "am I talking to a real person?" asks what the pilot is, not for a person.
const WHO_AM_I_TALKING_TO =
  /\b(?:am i|are you|is this|is it)\s+(?:\w+\s+)?(?:talking|speaking|chatting|a|an)\b/iu;

export function isHandoverRequest(text: string): boolean {
  if (text.length > 500) return false; // a request for a person is short; bounds the regexes
  if (NEGATED.test(text) || WHO_AM_I_TALKING_TO.test(text)) return false;
  return [TALK, CONNECT, ASK, OPENS, BARE].some((rule) => rule.test(text));
}
