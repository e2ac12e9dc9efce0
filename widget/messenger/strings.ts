/**
 * Every user-visible string of the messenger, per locale, in one table (error codes included).
 * `pickLocale` matches a BCP 47 tag exactly, then by language; `en` is the fallback.
 */
const en = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'You are offline. Messages will be sent when you reconnect.',
  unavailable: 'Chat is not available on this site.',
  chat: 'Chat',
  sending: 'Sending…',
  typing: 'is typing…',
  dismiss: 'Dismiss',
  unread: 'unread',
  invalid_email: 'Please enter a valid email address.',
  invalid_phone: 'Please enter a valid phone number.',
  invalid_number: 'Please enter a number.',
  invalid_date: 'Please enter a valid date.',
  invalid_url: 'Please enter a valid web address (https://…).',
  error: 'Something went wrong. Please try again.',
};
export type Strings = typeof en;
export type StringKey = keyof Strings;

const fr: Strings = {
  openChat: 'Ouvrir le chat',
  closeChat: 'Fermer le chat',
  message: 'Message',
  placeholder: 'Écrivez un message…',
  send: 'Envoyer',
  connecting: 'Connexion…',
  reconnecting: 'Reconnexion…',
  offline: 'Vous êtes hors ligne. Les messages partiront à la reconnexion.',
  unavailable: 'Le chat n’est pas disponible sur ce site.',
  chat: 'Chat',
  sending: 'Envoi…',
  typing: 'écrit…',
  dismiss: 'Fermer',
  unread: 'non lus',
  invalid_email: 'Veuillez saisir une adresse e-mail valide.',
  invalid_phone: 'Veuillez saisir un numéro de téléphone valide.',
  invalid_number: 'Veuillez saisir un nombre.',
  invalid_date: 'Veuillez saisir une date valide.',
  invalid_url: 'Veuillez saisir une adresse web valide (https://…).',
  error: 'Une erreur est survenue. Veuillez réessayer.',
};

const es: Strings = {
  openChat: 'Abrir chat',
  closeChat: 'Cerrar chat',
  message: 'Mensaje',
  placeholder: 'Escribe un mensaje…',
  send: 'Enviar',
  connecting: 'Conectando…',
  reconnecting: 'Reconectando…',
  offline: 'Sin conexión. Los mensajes se enviarán al reconectar.',
  unavailable: 'El chat no está disponible en este sitio.',
  chat: 'Chat',
  sending: 'Enviando…',
  typing: 'está escribiendo…',
  dismiss: 'Descartar',
  unread: 'sin leer',
  invalid_email: 'Introduce un correo electrónico válido.',
  invalid_phone: 'Introduce un número de teléfono válido.',
  invalid_number: 'Introduce un número.',
  invalid_date: 'Introduce una fecha válida.',
  invalid_url: 'Introduce una dirección web válida (https://…).',
  error: 'Algo salió mal. Inténtalo de nuevo.',
};

/** Arabic: right-to-left. */
const ar: Strings = {
  openChat: 'فتح المحادثة',
  closeChat: 'إغلاق المحادثة',
  message: 'رسالة',
  placeholder: 'اكتب رسالة…',
  send: 'إرسال',
  connecting: 'جارٍ الاتصال…',
  reconnecting: 'جارٍ إعادة الاتصال…',
  offline: 'أنت غير متصل. سيتم إرسال الرسائل عند إعادة الاتصال.',
  unavailable: 'الدردشة غير متاحة على هذا الموقع.',
  chat: 'محادثة',
  sending: 'جارٍ الإرسال…',
  typing: 'يكتب…',
  dismiss: 'إخفاء',
  unread: 'غير مقروءة',
  invalid_email: 'يرجى إدخال بريد إلكتروني صالح.',
  invalid_phone: 'يرجى إدخال رقم هاتف صالح.',
  invalid_number: 'يرجى إدخال رقم.',
  invalid_date: 'يرجى إدخال تاريخ صالح.',
  invalid_url: 'يرجى إدخال عنوان ويب صالح (https://…).',
  error: 'حدث خطأ. يرجى المحاولة مرة أخرى.',
};

export const strings: Record<string, Strings> = { en, fr, es, ar };
const RTL = ['ar', 'he', 'fa', 'ur'];

/** The best supported locale for a tag (`fr-CA` -> `fr`), else `en`. */
export function pickLocale(tag: string | null | undefined): string {
  const lower = (tag ?? '').toLowerCase();
  if (Object.hasOwn(strings, lower)) return lower;
  const language = lower.split('-')[0] ?? '';
  return Object.hasOwn(strings, language) ? language : 'en';
}

/** Text direction of a locale. */
export function directionOf(locale: string): 'rtl' | 'ltr' {
  return RTL.includes(locale.split('-')[0] ?? '') ? 'rtl' : 'ltr';
}
