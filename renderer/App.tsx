import { Suspense, useEffect, useState } from 'react';
import { pages } from './pages/registry.js';
import { pageHash, parseAppHash, type PageId } from '../app/app-urls.js';
import { onEngineEvent } from './alerts/event-hub.js';
import { StorageBanner } from './components/StorageBanner.js';
import { AwayBanner } from './components/AwayBanner.js';

function currentPageId(): PageId {
  const id = parseAppHash(window.location.hash)?.page;
  return (pages.find((p) => p.id === id) ?? pages[0]!).id;
}

export function App() {
  const [pageId, setPageId] = useState(currentPageId);
  useEffect(() => {
    const onHash = () => setPageId(currentPageId());
    window.addEventListener('hashchange', onHash);
    // The shared subscription: a second EventSource would hold one more of the browser's six
    // connections per host, which a dashboard's panel queries need.
    const unsubscribe = onEngineEvent((event) => {
      if (event.type === 'navigate') window.location.hash = event.hash;
    });
    return () => {
      window.removeEventListener('hashchange', onHash);
      unsubscribe();
    };
  }, []);
  const page = pages.find((p) => p.id === pageId) ?? pages[0]!;
  const Page = page.component;
  return (
    <div className="shell">
      <nav className="nav" aria-label="Main">
        <div className="brand">Vigil</div>
        <ul>
          {pages.map((p) => (
            <li key={p.id}>
              <a href={pageHash(p.id)} aria-current={p.id === page.id ? 'page' : undefined}>
                {p.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        <StorageBanner />
        <AwayBanner />
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Page />
        </Suspense>
      </main>
    </div>
  );
}
