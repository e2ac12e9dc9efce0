/**
 * The demo pilot's knowledge: three short articles about the demo shop, so a visitor who types a
 * question after the welcome flow gets a cited answer (the pilot's default answer path, SPEC 3.7)
 * instead of only the fallback message. Urls point at the demo site's own pages.
 */
export interface DemoArticle {
  id: string;
  title: string;
  body: string;
  path: string;
}

export const demoArticles: DemoArticle[] = [
  {
    id: 'kb_demo_shipping',
    title: 'Shipping and delivery',
    path: '/help.html#shipping',
    body:
      'We ship every order within one business day. Standard delivery takes 3 to 5 business days ' +
      'and is free on orders over 50 euros. Express delivery arrives the next business day for 9 euros. ' +
      'You get a tracking link by email as soon as your parcel leaves our warehouse.',
  },
  {
    id: 'kb_demo_returns',
    title: 'Returns and refunds',
    path: '/help.html#returns',
    body:
      'You can return any unused item within 30 days of delivery. Start a return from the link in ' +
      'your order email; the return label is free. Refunds reach your original payment method within ' +
      '5 business days after the parcel arrives back at our warehouse.',
  },
  {
    id: 'kb_demo_pricing',
    title: 'Pricing and discounts',
    path: '/pricing.html',
    body:
      'Tents start at 149 euros, sleeping bags at 79 euros and backpacks at 59 euros. Members of the ' +
      'Acme Trail Club get 10 percent off every order and free express delivery. Students get 15 ' +
      'percent off with a valid student card.',
  },
];
