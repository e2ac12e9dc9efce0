/** Every user-visible string of the messenger, per locale. */
export const strings = {
  en: {
    openChat: 'Open chat',
    closeChat: 'Close chat',
    message: 'Message',
    send: 'Send',
    connecting: 'Connecting…',
    reconnecting: 'Reconnecting…',
    offline: 'You are offline. Messages will be sent when you reconnect.',
    chat: 'Chat',
  },
} as const;
export type Strings = (typeof strings)['en'];
