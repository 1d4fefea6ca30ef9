"""The page's batch section: several files, a whole folder or a zip posted as a job
(``POST /v1/jobs``), then its progress, polled, with a bar, and links to the translated
folder as a zip and to each document's outputs. This part needs JavaScript (the one
script the page holds, inline); the one-file form above it does not."""

import html

from ..documents.formats import SUPPORTED_SUFFIXES
from ..options import SUMMARY_LENGTHS

JOBS_STYLE = """
#job progress{width:100%;height:1.2rem}
#job-documents td{padding:.1rem .5rem}
"""

#: The script: post the form to the API, poll the job, show it. Text goes in as text
#: (textContent), never as markup.
JOBS_SCRIPT = r"""
(function(){
  const form = document.getElementById('job-form');
  const box = document.getElementById('job');
  function key(){ const k = document.getElementById('api_key'); return k ? k.value : ''; }
  function headers(){ const k = key(); return k ? {'X-API-Key': k} : {}; }
  function say(text){ document.getElementById('job-state').textContent = text; }
  function cell(row, text){ const td = row.insertCell(); td.textContent = text; return td; }
  async function download(event){
    event.preventDefault();
    const a = event.currentTarget;
    const answer = await fetch(a.dataset.href, {headers: headers()});
    if (!answer.ok) { say('download failed'); return; }
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await answer.blob());
    link.download = a.getAttribute('download');
    document.body.appendChild(link); link.click(); link.remove();
  }
  function anchor(href, name, text){
    const a = document.createElement('a');
    a.dataset.href = href; a.href = href; a.setAttribute('download', name);
    a.textContent = text; a.addEventListener('click', download); return a;
  }
  function show(job){
    const p = job.progress, bar = document.getElementById('job-progress');
    bar.max = Math.max(1, p.documents.total); bar.value = p.documents.done;
    let line = job.state + ': ' + p.documents.done + ' of ' + p.documents.total + ' documents, '
      + p.sentences.done + ' of ' + p.sentences.total + ' sentences translated';
    if (p.eta_s !== null && job.state === 'running')
      line += ', about ' + Math.ceil(p.eta_s) + ' s left';
    if (job.error) line += ' (' + job.error + ')';
    say(line);
    box.dataset.state = job.state;
    const table = document.getElementById('job-documents');
    table.replaceChildren();
    for (const d of job.documents) {
      const row = table.insertRow();
      cell(row, d.path); cell(row, d.status); cell(row, d.reason || '');
      const links = row.insertCell();
      for (const o of d.outputs) {
        const name = o.split('/').pop();
        const path = o.split('/').map(encodeURIComponent).join('/');
        links.appendChild(anchor('/v1/jobs/' + job.id + '/files/' + path, name, name));
        links.appendChild(document.createTextNode(' '));
      }
    }
    const zip = document.getElementById('job-zip');
    zip.replaceChildren();
    if (job.state === 'done')
      zip.appendChild(anchor(job.result, 'job-' + job.id + '.zip', 'The translated folder (.zip)'));
  }
  async function poll(id){
    const answer = await fetch('/v1/jobs/' + id, {headers: headers()});
    const job = await answer.json();
    if (!answer.ok) { say(job.error); return; }
    show(job);
    if (job.state === 'queued' || job.state === 'running') setTimeout(() => poll(id), 500);
  }
  form.addEventListener('submit', async function(event){
    event.preventDefault();
    box.hidden = false;
    say('uploading…');
    const data = new FormData();
    for (const input of form.querySelectorAll('input[type=file]'))
      for (const f of input.files) data.append('files', f, f.webkitRelativePath || f.name);
    for (const name of ['source_lang', 'summary_length', 'write'])
      if (form.elements[name] && form.elements[name].value)
        data.append(name, form.elements[name].value);
    if (form.elements.check.checked) data.append('check', 'roundtrip');
    const answer = await fetch('/v1/jobs', {method: 'POST', body: data, headers: headers()});
    const job = await answer.json();
    if (!answer.ok) { say(job.error); return; }
    box.dataset.job = job.id;
    show(job); poll(job.id);
  });
})();
"""


def jobs_section(languages: str) -> str:
    """The batch form and the (hidden until posted) progress of its job; ``languages`` is
    the ``<option>`` list of the one-file form."""
    esc = html.escape
    accept = esc(",".join((*SUPPORTED_SUFFIXES, ".zip")))
    lengths = "".join(f'<option value="{n}">{n}</option>' for n in ("", *SUMMARY_LENGTHS))
    return "".join(
        [
            "<h2>Translate a folder</h2>",
            '<form id="job-form" method="post" action="/v1/jobs" enctype="multipart/form-data">',
            f'<label for="job-files">Files, or a .zip of a folder</label>'
            f'<input type="file" id="job-files" name="files" multiple accept="{accept}">',
            '<label for="job-folder">…or a whole folder</label>'
            '<input type="file" id="job-folder" name="files" webkitdirectory multiple>',
            '<label for="job-lang">Language of the documents</label>'
            f'<select id="job-lang" name="source_lang">{languages}</select>',
            '<label for="job-length">Summary length</label>'
            f'<select id="job-length" name="summary_length">{lengths}</select>',
            '<label><input type="checkbox" name="check" value="roundtrip"> '
            "Check every sentence by translating it back (slower)</label>",
            '<p><button type="submit" id="job-submit">Translate the folder</button></p>',
            "</form>",
            '<section id="job" hidden><h2>Job</h2>',
            '<progress id="job-progress" value="0" max="1"></progress>',
            '<p id="job-state" role="status"></p><p id="job-zip"></p>',
            '<table id="job-documents"></table></section>',
            f'<script id="jobs-script">{JOBS_SCRIPT}</script>',
        ]
    )
