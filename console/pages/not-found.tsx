/** Any `/admin/…` path without a page. */
export function NotFoundPage() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <a href="/admin/flows">Back to flows</a>
      </p>
    </section>
  );
}
