import { LabIcon } from '@jupyterlab/ui-components';

// Three linked nodes; `jp-icon3` lets the theme colour it.
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <circle cx="12" cy="4.5" r="3"/>
    <circle cx="4.5" cy="18" r="3"/>
    <circle cx="19.5" cy="18" r="3"/>
    <path d="M11 7h2v4.2l5.6 4.6-1.3 1.5L12 13l-5.3 4.3-1.3-1.5L11 11.2z"/>
  </g>
</svg>`;

export const gonkaIcon = new LabIcon({
  name: 'gonka-lab:network',
  svgstr: svg
});
