/**
 * Node types (SPEC 3.5). Ports are node-id fields; a missing port ends the run.
 * Nodes are strict objects, so a misspelt port (`nxt`) is an error, not silently dropped.
 */
import { z } from 'zod';
import { conditionSchema } from '../expr/condition-schema.ts';

export const nodeIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'Node ids use letters, digits, _ and -');
const port = nodeIdSchema.optional();
const text = z.string().max(4000);
/** A `variable.name` target (flow-local variables are the only writable namespace). */
export const variableTargetSchema = z
  .string()
  .regex(/^variable\.[A-Za-z_][A-Za-z0-9_]*$/, 'A target is variable.<name>');
/**
 * Where a question saves its answer: a flow variable, or a field of the conversation's contact
 * (`contact.email`), written like an `update_contact` node with that one field.
 */
export const answerTargetSchema = z
  .string()
  .regex(
    /^(variable|contact|company)\.[A-Za-z_][A-Za-z0-9_]*$/,
    'A target is variable.<name>, contact.<field> or company.<field>',
  );

/** Fields every node may carry: editor metadata the engine ignores. */
const base = {
  id: nodeIdSchema,
  label: z.string().max(200).optional(),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
};

/**
 * A link, image or redirect target shown to visitors: http(s), or relative to the page, or a
 * template (checked again after rendering by the messenger, which follows only http(s)). A
 * literal scheme other than http(s) before the first `{{` is refused at publish: `javascript:`,
 * `data:` or `vbscript:` reached any other client of the socket protocol raw (hostile review).
 * The scheme is read as a URL parser reads it: tabs and line breaks inside it, and leading
 * spaces and control characters, do not hide it.
 */
export const visitorUrl = (min: 0 | 1) =>
  z
    .string()
    .min(min)
    .max(2048)
    .refine((url) => {
      const literal = url.slice(0, url.includes('{{') ? url.indexOf('{{') : undefined);
      // Leading C0 controls and spaces go, as the URL parser drops them.
      let start = 0;
      while (start < literal.length && literal.charCodeAt(start) <= 0x20) start++;
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(
        literal.slice(start).replace(/[\t\n\r]/g, ''),
      )?.[1];
      return scheme === undefined || /^https?$/i.test(scheme);
    }, 'Use an http(s) URL, a path on the site or a template');

const linkButton = z.strictObject({
  label: z.string().min(1).max(200),
  url: visitorUrl(1),
  newTab: z.boolean().optional(),
});

const card = z.strictObject({
  title: z.string().min(1).max(200),
  text: z.string().max(1000).optional(),
  imageUrl: visitorUrl(0).optional(),
  url: visitorUrl(0).optional(),
});

export const sendMessageNode = z.strictObject({
  ...base,
  type: z.literal('send_message'),
  text,
  image: z.strictObject({ url: visitorUrl(1), alt: z.string().max(300) }).optional(),
  buttons: z.array(linkButton).max(10).optional(),
  cards: z.array(card).max(10).optional(),
  next: port,
});

export const optionSchema = z.strictObject({
  label: z.string().min(1).max(200),
  value: z.string().min(1).max(200),
  next: port,
});

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date is YYYY-MM-DD');
/** Checkbox options have no per-option port (several may be picked); no comma in them, as the
 * messenger sends the picked labels as one comma-separated answer. */
const noComma = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^,]+$/, 'Multiple-choice options cannot contain a comma');
export const MAX_MULTI_OPTIONS = 20;
const multiOptionSchema = z.strictObject({ label: noComma(200), value: noComma(200) });

export const INPUT_KINDS = [
  'buttons',
  'text',
  'email',
  'phone',
  'number',
  'date',
  'url',
  'yes_no',
  'multiple_choice',
  'rating',
] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

const inputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('buttons'),
    options: z.array(optionSchema).min(1).max(20),
    /** Also accept free text that matches no button (saved as typed, goes to `next`). */
    allowFreeText: z.boolean().optional(),
  }),
  /** Yes/No buttons; options may override labels and give per-answer ports (values yes|no). */
  z.strictObject({ kind: z.literal('yes_no'), options: z.array(optionSchema).max(2).optional() }),
  z.strictObject({
    kind: z.enum(['text', 'email', 'phone', 'number', 'url']),
    placeholder: z.string().max(200).optional(),
  }),
  /** A date (saved as YYYY-MM-DD), optionally within `min`..`max` (checked by the server). */
  z.strictObject({
    kind: z.literal('date'),
    placeholder: z.string().max(200).optional(),
    min: isoDate.optional(),
    max: isoDate.optional(),
  }),
  /** Checkboxes: every picked option's value is saved, as a list in option order. */
  z.strictObject({
    kind: z.literal('multiple_choice'),
    options: z.array(multiOptionSchema).min(2).max(MAX_MULTI_OPTIONS),
    /** How many must be picked (default 1) and may be picked (default all). */
    min: z.number().int().min(0).max(MAX_MULTI_OPTIONS).optional(),
    max: z.number().int().min(1).max(MAX_MULTI_OPTIONS).optional(),
  }),
  /** 1–5 stars (saved as 1..5) or thumbs (saved as 1 up, 0 down); insights average it. */
  z.strictObject({
    kind: z.literal('rating'),
    scale: z.enum(['stars', 'thumbs']).default('stars'),
  }),
]);

export const askQuestionNode = z.strictObject({
  ...base,
  type: z.literal('ask_question'),
  text,
  input: inputSchema,
  saveTo: answerTargetSchema.optional(),
  /** Re-asks after an invalid answer this many times (default 2), then goes to `onInvalid`. */
  retries: z.number().int().min(0).max(10).optional(),
  invalidText: z.string().max(1000).optional(),
  next: port,
  onInvalid: port,
});

export const conditionNode = z.strictObject({
  ...base,
  type: z.literal('condition'),
  /** First matching branch wins. */
  branches: z
    .array(z.strictObject({ when: conditionSchema, next: port }))
    .min(1)
    .max(20),
  else: port,
});

export const splitNode = z.strictObject({
  ...base,
  type: z.literal('split'),
  /** Percentages must sum to 100; the pick is stable per conversation. */
  paths: z
    .array(z.strictObject({ percent: z.number().min(0).max(100), next: port }))
    .min(2)
    .max(10),
});

export const assignmentSchema = z.strictObject({
  target: variableTargetSchema,
  op: z.enum(['set', 'clear', 'increment', 'append']),
  /** Strings may be templates; `increment` takes a number (default 1). */
  value: z.union([z.string().max(4000), z.number(), z.boolean(), z.null()]).optional(),
});

export const setVariableNode = z.strictObject({
  ...base,
  type: z.literal('set_variable'),
  assignments: z.array(assignmentSchema).min(1).max(50),
  next: port,
});

export const updateContactNode = z.strictObject({
  ...base,
  type: z.literal('update_contact'),
  /** Contact field -> template, e.g. `{ "email": "{{variable.email}}" }`. */
  fields: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(2000)),
  next: port,
  onError: port,
});

const tagsNode = <T extends 'add_tag' | 'remove_tag'>(type: T) =>
  z.strictObject({
    ...base,
    type: z.literal(type),
    tags: z.array(z.string().min(1).max(100)).min(1).max(20),
    next: port,
  });
export const addTagNode = tagsNode('add_tag');
export const removeTagNode = tagsNode('remove_tag');

export const assignNode = z.strictObject({
  ...base,
  type: z.literal('assign'),
  to: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('user'), userId: z.string().min(1).max(100) }),
    z.strictObject({ kind: z.literal('team'), teamId: z.string().min(1).max(100) }),
    /** Round robin among the available members (of `teamId`, else of everyone). */
    z.strictObject({
      kind: z.literal('round_robin'),
      teamId: z.string().min(1).max(100).optional(),
    }),
  ]),
  next: port,
  /** Nobody could be assigned (round robin with nobody available, unknown user). */
  unavailable: port,
});

export const checkAvailabilityNode = z.strictObject({
  ...base,
  type: z.literal('check_availability'),
  /** Limit the check to these users/teams; default: any agent. */
  users: z.array(z.string().min(1).max(100)).max(100).optional(),
  teams: z.array(z.string().min(1).max(100)).max(100).optional(),
  available: port,
  unavailable: port,
});

/** What a handover says when its node has no `message` (an empty one says nothing). */
export const DEFAULT_HANDOVER_MESSAGE =
  'Connecting you with a person. Someone will reply here shortly.';

export const handoverNode = z.strictObject({
  ...base,
  type: z.literal('handover'),
  /**
   * Said to the visitor when the handover succeeds; `DEFAULT_HANDOVER_MESSAGE` when absent, so a
   * visitor handed over is never left with nothing (`""` for a silent handover).
   */
  message: z.string().max(2000).optional(),
  teamId: z.string().min(1).max(100).optional(),
  note: z.string().max(2000).optional(),
  next: port,
  unavailable: port,
});

export const aiAnswerNode = z.strictObject({
  ...base,
  type: z.literal('ai_answer'),
  /** What to answer; default `{{system.last_utterance}}`. */
  question: z.string().max(2000).optional(),
  saveTo: variableTargetSchema.optional(),
  next: port,
  noAnswer: port,
  handoverRequested: port,
});

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const httpRequestNode = z.strictObject({
  ...base,
  type: z.literal('http_request'),
  method: z.enum(HTTP_METHODS).default('GET'),
  url: z.string().min(1).max(2048),
  headers: z.record(z.string().min(1).max(100), z.string().max(2000)).optional(),
  /** A JSON value whose strings are templates (values JSON-safe), or a text template. */
  body: z.unknown().optional(),
  timeoutMs: z.number().int().min(100).max(30_000).default(10_000),
  saveResponse: z
    .array(z.strictObject({ path: z.string().min(1).max(300), to: variableTargetSchema }))
    .max(20)
    .optional(),
  next: port,
  onError: port,
});

export const sendEmailNode = z.strictObject({
  ...base,
  type: z.literal('send_email'),
  to: z.string().min(1).max(500),
  subject: z.string().min(1).max(500),
  body: z.string().max(20_000),
  next: port,
  onError: port,
});

export const createRecordNode = z.strictObject({
  ...base,
  type: z.literal('create_record'),
  kind: z.enum(['deal', 'task', 'note']),
  /** Field -> template, e.g. `{ "title": "Lead {{contact.email}}", "amount": "{{variable.total}}" }`. */
  fields: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(4000)),
  next: port,
  onError: port,
});

export const redirectNode = z.strictObject({
  ...base,
  type: z.literal('redirect'),
  url: visitorUrl(1),
  newTab: z.boolean().default(false),
  next: port,
});

export const showBannerNode = z.strictObject({
  ...base,
  type: z.literal('show_banner'),
  text: z.string().min(1).max(1000),
  url: visitorUrl(0).optional(),
  style: z.enum(['info', 'success', 'warning']).default('info'),
  next: port,
});

/** An image or link of a post: literal https only (the messenger never loads http or data:). */
const httpsUrl = z
  .string()
  .max(2048)
  .regex(/^https:\/\/[^\s]+$/, 'Use an https:// URL');
export const MAX_REACTIONS = 8;
/** A reaction is an emoji (a few code points: skin tones, ZWJ sequences), never text. */
const reaction = z
  .string()
  .min(1)
  .max(16)
  .regex(
    /^(?=.*\p{Extended_Pictographic})(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f)+$/u,
    'A reaction is an emoji',
  );

/**
 * An announcement-style message. Small: text only. Large: a title, the text, an optional https
 * image and a call-to-action link. Delivery `snippet` shows a preview the visitor expands. With
 * a response (free text, or one of `reactions`) the run waits and saves it like an answer.
 */
export const postNode = z.strictObject({
  ...base,
  type: z.literal('post'),
  size: z.enum(['small', 'large']).default('small'),
  title: z.string().min(1).max(200).optional(),
  text,
  imageUrl: httpsUrl.optional(),
  cta: z
    .strictObject({
      label: z.string().min(1).max(100),
      url: httpsUrl.min(1),
      newTab: z.boolean().optional(),
    })
    .optional(),
  delivery: z.enum(['full', 'snippet']).default('full'),
  response: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('none') }),
      z.strictObject({
        type: z.literal('text'),
        saveTo: answerTargetSchema.optional(),
        placeholder: z.string().max(200).optional(),
      }),
      z.strictObject({
        type: z.literal('reaction'),
        /** Default 👍 ❤️ 😂 😮. */
        reactions: z.array(reaction).min(2).max(MAX_REACTIONS).optional(),
        saveTo: answerTargetSchema.optional(),
      }),
    ])
    .default({ type: 'none' }),
  next: port,
});

export const goToFlowNode = z.strictObject({
  ...base,
  type: z.literal('go_to_flow'),
  flowId: z.string().min(1).max(100),
});

export const closeConversationNode = z.strictObject({
  ...base,
  type: z.literal('close_conversation'),
  message: z.string().max(2000).optional(),
});

export const endNode = z.strictObject({ ...base, type: z.literal('end') });

/** Field kinds a capture form validates (as the same question input kinds do). */
export const FORM_FIELD_KINDS = ['text', 'email', 'phone', 'number', 'date'] as const;
const fieldName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'A field name is letters, digits and _');

/** One field of a capture form: `field` is the contact/company field it saves into. */
export const formFieldSchema = z.strictObject({
  field: fieldName.max(64),
  label: z.string().min(1).max(200),
  kind: z.enum(FORM_FIELD_KINDS).default('text'),
  required: z.boolean().default(false),
});
export type FormField = z.infer<typeof formFieldSchema>;

const captureNode = <T extends 'capture_contact' | 'capture_company'>(type: T) =>
  z.strictObject({
    ...base,
    type: z.literal(type),
    /** Said above the form. */
    text,
    fields: z.array(formFieldSchema).min(1).max(12),
    /** Re-shows the form after invalid values this many times (default 3), then `onInvalid`. */
    retries: z.number().int().min(0).max(10).optional(),
    next: port,
    /** The contact/company could not be saved. */
    onError: port,
    onInvalid: port,
  });
/**
 * One messenger form step for several contact fields (name, email, phone, custom); creates or
 * links the conversation's contact and saves every value.
 */
export const captureContactNode = captureNode('capture_contact');
/** The same form step for company fields: creates or links the contact's company. */
export const captureCompanyNode = captureNode('capture_company');

/** Writes fields of the contact's company: set (a template), clear, increment (a number). */
export const updateCompanyNode = z.strictObject({
  ...base,
  type: z.literal('update_company'),
  assignments: z
    .array(
      z.strictObject({
        field: fieldName.max(64),
        op: z.enum(['set', 'clear', 'increment']),
        value: z.union([z.string().max(2000), z.number()]).optional(),
      }),
    )
    .min(1)
    .max(50),
  next: port,
  onError: port,
});

/** Emails the transcript as the visitor saw it, through the `send_email` outbox. */
export const emailConversationNode = z.strictObject({
  ...base,
  type: z.literal('email_conversation'),
  to: z.discriminatedUnion('kind', [
    /** The conversation's contact email (`contact.email`). */
    z.strictObject({ kind: z.literal('visitor') }),
    z.strictObject({ kind: z.literal('user'), userId: z.string().min(1).max(100) }),
    /** Every member of the team. */
    z.strictObject({ kind: z.literal('team'), teamId: z.string().min(1).max(100) }),
    /** A templated address, e.g. `{{pilot.sales_email}}`. */
    z.strictObject({ kind: z.literal('address'), address: z.string().min(1).max(500) }),
  ]),
  subject: z.string().min(1).max(500).optional(),
  next: port,
  onError: port,
});

export const nodeSchema = z.discriminatedUnion('type', [
  sendMessageNode,
  askQuestionNode,
  conditionNode,
  splitNode,
  setVariableNode,
  updateContactNode,
  addTagNode,
  removeTagNode,
  assignNode,
  checkAvailabilityNode,
  handoverNode,
  aiAnswerNode,
  httpRequestNode,
  sendEmailNode,
  createRecordNode,
  redirectNode,
  showBannerNode,
  postNode,
  goToFlowNode,
  closeConversationNode,
  endNode,
  captureContactNode,
  captureCompanyNode,
  updateCompanyNode,
  emailConversationNode,
]);
export type FlowNode = z.infer<typeof nodeSchema>;
export type NodeType = FlowNode['type'];
export type NodeOf<T extends NodeType> = Extract<FlowNode, { type: T }>;

/** Node types that are rejected with an explanation rather than "unknown type". */
export const REJECTED_NODE_TYPES: Readonly<Record<string, string>> = {
  wait: 'Time-based delays (wait) are not available in execution flows',
  delay: 'Time-based delays (wait) are not available in execution flows',
};
