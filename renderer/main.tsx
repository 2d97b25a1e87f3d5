import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import './styles.css';

// Where a page load's time goes (build/bench/dashboard.js reads these marks).
performance.mark('vigil:main-chunk-run');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
