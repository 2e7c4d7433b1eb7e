/**
 * A package's dependencies as PyPI lists them (`requires_dist`), split as PEP 508 markers say:
 * required, or optional under an extra. Each links to its own page here.
 */
import type { PackageMetadata, Requirement } from '../../domain/package-metadata.js';
import { html } from '../html.js';
import { packageUrl } from '../urls.js';

/** Under its extra's heading, a marker that says only `extra == "…"` says nothing more. */
const ONLY_EXTRA = /^extra\s*==\s*(['"])[^'"]*\1$/;

function requirement(item: Requirement) {
  const extras = item.extras.length > 0 ? `[${item.extras.join(',')}]` : '';
  return html`<li>
    <a href="${packageUrl(item.name)}">${item.name}</a>${extras ? html`<span class="req-extras">${extras}</span>` : ''}
    ${item.specifier ? html`<code class="req-spec">${item.specifier}</code>` : ''}
    ${item.marker && !ONLY_EXTRA.test(item.marker) ? html`<span class="req-marker" title="Installed only where this holds">${item.marker}</span>` : ''}
  </li>`;
}

export function dependencies(metadata: PackageMetadata) {
  const optionalCount = metadata.optional.reduce((sum, group) => sum + group.requirements.length, 0);
  return html`<section class="card dependencies" aria-labelledby="dependencies-title">
  <h2 id="dependencies-title">Dependencies${metadata.latestVersion ? html` <span class="muted">of ${metadata.latestVersion}</span>` : ''}</h2>
  <div class="dependency-groups">
    <div class="dependency-group" id="required-dependencies">
      <h3>Required <span class="count">${metadata.required.length}</span></h3>
      ${
        metadata.required.length === 0
          ? html`<p class="muted">None.</p>`
          : html`<ul class="req-list">${metadata.required.map(requirement)}</ul>`
      }
    </div>
    <div class="dependency-group" id="optional-dependencies">
      <h3>Optional <span class="count">${optionalCount}</span></h3>
      ${
        metadata.optional.length === 0
          ? html`<p class="muted">None.</p>`
          : metadata.optional.map(
              (group) => html`<h4>with <code>[${group.extra}]</code></h4>
      <ul class="req-list">${group.requirements.map(requirement)}</ul>`,
            )
      }
    </div>
  </div>
</section>`;
}
