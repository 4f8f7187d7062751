import { expect } from 'chai';
import { matrixHtml, matrixMarkdown } from '../../reports/matrix.js';
import { HOSTILE, smallResults } from '../fixtures/results-small.js';

describe('reports/matrix', () => {
  describe('markdown', () => {
    const md = matrixMarkdown(smallResults());

    it('has targets as columns and checks as rows grouped by area', () => {
      expect(md).to.include('| check | builtin | builtin-share-pid |\n|---|---|---|\n| **pid** | | |\n');
      expect(md).to.include('| `pid.own-namespace` runs in its own pid namespace | ✅ pass | ❌ **fail** |');
      expect(md).to.include('| `net.loopback-unreachable` host loopback listener is unreachable | ✅ pass | ⚠️ **error** |');
    });

    it('marks a check a target did not run, and optional failures', () => {
      expect(md).to.include('| `security.no-new-privs` no\\_new\\_privs is set | ❌ **fail** (not required) | — |');
    });

    it('escapes pipes and markup so one cell cannot break the table', () => {
      const r = smallResults();
      r.targets[0]!.name = 'a|b<script>';
      expect(matrixMarkdown(r)).to.include('| check | a\\|b&lt;script&gt; | builtin-share-pid |');
    });
  });

  describe('html', () => {
    const html = matrixHtml(smallResults());

    it('is one self-contained page', () => {
      expect(html).to.match(/^<!DOCTYPE html>/);
      expect(html).to.include('<style>');
      expect(html).to.not.match(/<script|<link|src=/);
    });

    it('puts expected, observed and evidence in a <details> per cell', () => {
      expect(html).to.include('<td class="fail"><details><summary>fail</summary><dl><dt>expected</dt><dd><pre>new</pre></dd>' +
        '<dt>observed</dt><dd><pre>inherited</pre></dd></dl></details></td>');
      expect(html).to.include('<td class="skip optional"><details><summary>skip</summary><dl><dt>reason</dt>');
    });

    it('HTML-escapes everything and shows control characters', () => {
      const r = smallResults();
      r.targets[0]!.name = '<img src=x onerror=alert(1)>';
      r.environment['note'] = HOSTILE;
      const page = matrixHtml(r);
      expect(page).to.not.include('<img');
      expect(page).to.not.include('<tag');
      expect(page).to.include('&lt;tag attr=&quot;v&quot;&gt;&amp;amp; &#39;quoted&#39;');
      expect(page).to.not.match(/[\x00-\x08\x0B\x0C\x0E-\x1F]/);
    });

    it('shows a target that could not run in its column header', () => {
      const r = smallResults();
      r.targets[1]!.error = 'no runtime';
      expect(matrixHtml(r)).to.include('could not run: no runtime</span></th>');
    });
  });

  it('marks a control target in both formats and sums up its failures instead of listing them', () => {
    const r = smallResults();
    r.targets[1]!.control = true;
    const md = matrixMarkdown(r);
    expect(md).to.include('| check | builtin | builtin-share-pid (control) |');
    expect(md).to.include('- **builtin-share-pid** (control, deliberately weakened): 2 required checks failed, as expected');
    expect(md).to.not.include('**builtin-share-pid** `pid.own-namespace`');
    expect(matrixHtml(r)).to.include('<small>control: expected to fail</small>');
  });
});
