import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

/** A page's title: the heading that takes the focus on a new page, and the window's title. */
export function PageTitle({ children, text }: { children?: ComponentChildren; text: string }) {
  useEffect(() => {
    document.title = `${text} · modelgate console`;
  }, [text]);
  return (
    <h1 id="page-title" tabIndex={-1}>
      {children ?? text}
    </h1>
  );
}
