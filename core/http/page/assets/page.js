// The LAN web page's one script. Browsing works without it; it adds local dates and, when the
// page has write controls, uploads (pick, folder, drop), new folder, rename and delete.
// Names this script handles reach the page only through textContent and attribute setters, never
// as markup; a refreshed listing is the server's own escaped HTML.
'use strict';

(() => {
  document.documentElement.classList.add('js');

  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  /** Rewrites the server's UTC fallback dates in the reader's locale and time zone. */
  function localizeDates(root) {
    for (const time of root.querySelectorAll('time[datetime]')) {
      const date = new Date(time.dateTime);
      if (!Number.isNaN(date.getTime())) time.textContent = dateFormat.format(date);
    }
  }

  localizeDates(document);

  // Read-only pages have no write controls, so nothing below applies.
  const writeButtons = document.querySelector('.write-buttons');
  if (!writeButtons) return;

  const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
  const status = document.getElementById('status');
  const uploadsList = document.querySelector('.uploads');

  // Decimal units, as the server's listing prints sizes (format.ts).
  const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  function formatSize(bytes) {
    if (bytes < 1000) return `${Math.round(bytes)} bytes`;
    let value = bytes;
    let unit = 0;
    while (value >= 999.5 && unit < UNITS.length - 1) {
      value /= 1000;
      unit++;
    }
    return `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
  }

  /** Says something to screen readers and on screen; cleared first so a repeat is read again. */
  function announce(message) {
    status.textContent = '';
    requestAnimationFrame(() => (status.textContent = message));
  }

  /** This folder's URL with an action query (`?upload`), whatever sort the address shows. */
  function folderAction(action) {
    return new URL(`?${action}`, location.href).href;
  }

  /** The server's `{ error }` text, or a sentence from the status when there is none. */
  function errorFrom(httpStatus, bodyText) {
    try {
      const body = JSON.parse(bodyText);
      if (body && typeof body.error === 'string' && body.error) return body.error;
    } catch {
      // Not JSON: fall through to the status.
    }
    if (httpStatus === 403) return 'Not allowed. Sign in again or ask for write access.';
    if (httpStatus === 404) return 'It is no longer there. Reload the page to see the folder as it is now.';
    return `The computer refused (HTTP ${httpStatus}).`;
  }

  /** POSTs a change; resolves when it succeeded, rejects with a sentence for people. */
  async function post(url, json) {
    const headers = { 'X-CSRF-Token': csrfToken };
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: json === undefined ? undefined : JSON.stringify(json), credentials: 'same-origin' });
    } catch {
      throw new Error('The connection to the computer was lost.');
    }
    if (!response.ok) throw new Error(errorFrom(response.status, await response.text()));
  }

  // ---- The listing ----

  /**
   * Replaces the listing with the server's current one. The new listing comes from the server's
   * own escaped HTML, parsed by DOMParser (which runs no script), never built from names here.
   */
  async function refreshListing() {
    const current = document.getElementById('listing');
    try {
      const response = await fetch(location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('listing');
      // A sign-in page or an error page has no listing: load the page itself to show it.
      if (!response.ok || !fresh) throw new Error('no listing');
      const adopted = document.adoptNode(fresh);
      localizeDates(adopted);
      current.replaceWith(adopted);
    } catch {
      location.reload();
    }
  }

  /** Moves focus to the row of `name` after a refresh, or to the listing's heading. */
  function focusEntry(name) {
    const row = [...document.querySelectorAll('.entry')].find((entry) => entry.dataset.name === name);
    (row?.querySelector('.entry-link') ?? document.getElementById('listing-heading'))?.focus();
  }

  // ---- Dialogs ----

  const nameDialog = document.getElementById('name-dialog');
  const nameInput = document.getElementById('name-dialog-input');
  const deleteDialog = document.getElementById('delete-dialog');
  /**
   * What the open dialog does: `act` on submit (rejecting shows its error in the dialog), then
   * `after` once the dialog has closed, so focus moves after the dialog has given it back.
   */
  let confirmed;

  for (const dialog of [nameDialog, deleteDialog]) {
    const form = dialog.querySelector('form');
    const error = dialog.querySelector('.dialog-error');
    dialog.querySelector('[data-close]').addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => (error.textContent = ''));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const buttons = form.querySelectorAll('button');
      buttons.forEach((button) => (button.disabled = true));
      error.textContent = '';
      let problem;
      try {
        await confirmed.act();
      } catch (err) {
        problem = err;
      }
      buttons.forEach((button) => (button.disabled = false));
      if (problem) {
        error.textContent = problem.message;
        // The pressed button was disabled meanwhile, which dropped focus: put it where a retry starts.
        form.querySelector('input, [type="submit"]').focus();
        return;
      }
      dialog.close();
      await confirmed.after();
    });
  }

  /** A problem with a typed name, caught before asking the server; undefined when it looks fine. */
  function nameProblem(name) {
    if (name === '') return 'Type a name.';
    if (/[/\\]/.test(name)) return 'A name can’t contain / or \\.';
    if (name === '.' || name === '..') return 'That name isn’t allowed.';
    return undefined;
  }

  /**
   * Opens the name dialog: `save(name)` makes the change once the name looks fine, `after(name)`
   * shows it.
   */
  function askName({ title, submit, value, selectTo, save, after }) {
    nameDialog.querySelector('h2').textContent = title;
    nameDialog.querySelector('[type="submit"]').textContent = submit;
    nameInput.value = value;
    let name;
    confirmed = {
      async act() {
        name = nameInput.value.trim();
        const problem = nameProblem(name);
        if (problem) throw new Error(problem);
        await save(name);
      },
      after: () => after(name),
    };
    nameDialog.showModal();
    nameInput.focus();
    nameInput.setSelectionRange(0, selectTo);
  }

  function newFolder() {
    askName({
      title: 'New folder',
      submit: 'Create',
      value: '',
      selectTo: 0,
      save: (name) => post(folderAction('mkdir'), { name }),
      async after(name) {
        await refreshListing();
        focusEntry(name);
        announce(`Folder “${name}” created.`);
      },
    });
  }

  function rename(entry) {
    const dot = entry.name.lastIndexOf('.');
    askName({
      title: `Rename “${entry.name}”`,
      submit: 'Rename',
      value: entry.name,
      // Select the name without its extension, as file managers do.
      selectTo: entry.type === 'file' && dot > 0 ? dot : entry.name.length,
      async save(to) {
        if (to !== entry.name) await post(`${entry.href}?rename`, { to });
      },
      async after(to) {
        await refreshListing();
        focusEntry(to);
        announce(`Renamed “${entry.name}” to “${to}”.`);
      },
    });
  }

  function confirmDelete(entry) {
    deleteDialog.querySelector('.dialog-name').textContent = entry.name;
    document.getElementById('delete-dialog-text').textContent =
      entry.type === 'dir'
        ? 'The folder will be deleted from the computer. This can’t be undone.'
        : 'The file will be deleted from the computer. This can’t be undone.';
    confirmed = {
      act: () => post(`${entry.href}?delete`),
      async after() {
        await refreshListing();
        focusEntry(undefined);
        announce(`“${entry.name}” deleted.`);
      },
    };
    // Focus lands on Cancel, the first button: Enter alone deletes nothing.
    deleteDialog.showModal();
  }

  // One listener for every row, so rows from a refreshed listing work too.
  document.addEventListener('click', (event) => {
    const button = event.target.closest('[data-action]');
    if (!button) return;
    if (button.dataset.action === 'mkdir') return newFolder();
    const row = button.closest('.entry');
    const entry = { name: row.dataset.name, href: row.dataset.href, type: row.dataset.type };
    if (button.dataset.action === 'rename') rename(entry);
    else if (button.dataset.action === 'delete') confirmDelete(entry);
  });

  // ---- Uploads ----

  /** How many files upload at once: enough to fill the link, few enough for each to show progress. */
  const PARALLEL_UPLOADS = 2;
  /** How often the speed is re-measured (ms); shorter windows make it jump. */
  const SPEED_WINDOW_MS = 500;
  const queue = [];
  let running = 0;
  let batch = { done: 0, failed: 0 };
  let rowCount = 0;

  /** The list item that shows one file's progress, with its cancel button. */
  function uploadRow(job) {
    const row = document.createElement('li');
    row.className = 'upload';
    const name = document.createElement('span');
    name.className = 'upload-name';
    name.id = `upload-${++rowCount}`;
    name.textContent = job.path;
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute('aria-labelledby', name.id);
    const info = document.createElement('span');
    info.className = 'upload-info';
    info.textContent = `Waiting · ${formatSize(job.file.size)}`;
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'button';
    cancel.textContent = 'Cancel';
    cancel.setAttribute('aria-label', `Cancel upload of ${job.path}`);
    cancel.addEventListener('click', () => cancelUpload(job));
    row.append(name, bar, info, cancel);
    return { row, bar, info, cancel };
  }

  /** Ends a row's upload with a message: `done`, `failed` or cancelled (neither). */
  function settle(job, state, message) {
    job.ui.row.classList.add(state);
    job.ui.info.textContent = message;
    job.ui.cancel.remove();
    if (state === 'done') {
      job.ui.bar.value = 1;
      batch.done++;
    } else if (state === 'failed') {
      batch.failed++;
    }
  }

  function cancelUpload(job) {
    if (job.xhr) {
      job.xhr.abort();
      return;
    }
    queue.splice(queue.indexOf(job), 1);
    settle(job, 'cancelled', 'Cancelled');
    pump();
  }

  /** Sends one file as multipart `file` (its relative path as the file name, for folders). */
  function send(job) {
    running++;
    const xhr = new XMLHttpRequest();
    job.xhr = xhr;
    const size = job.file.size;
    let sample = { time: performance.now(), loaded: 0 };
    let speed;
    xhr.upload.addEventListener('progress', (event) => {
      // The body is a little larger than the file (multipart headers): show the file's share.
      const sent = event.lengthComputable && event.total > 0 ? (event.loaded / event.total) * size : 0;
      job.ui.bar.value = size > 0 ? sent / size : 0;
      const now = performance.now();
      if (now - sample.time >= SPEED_WINDOW_MS) {
        speed = ((sent - sample.loaded) * 1000) / (now - sample.time);
        sample = { time: now, loaded: sent };
      }
      job.ui.info.textContent = `${formatSize(sent)} of ${formatSize(size)}${speed === undefined ? '' : ` · ${formatSize(speed)}/s`}`;
    });
    xhr.addEventListener('load', () => {
      if (xhr.status < 200 || xhr.status >= 300) return settle(job, 'failed', errorFrom(xhr.status, xhr.responseText));
      let saved;
      try {
        saved = JSON.parse(xhr.responseText).files?.[0];
      } catch {
        // A success without the expected body still uploaded the file.
      }
      const requested = job.path.split('/').pop();
      // The server never replaces a file from the browser: a taken name is saved as "name (1).ext".
      settle(job, 'done', saved && saved.name !== requested ? `Done · saved as “${saved.name}”` : `Done · ${formatSize(size)}`);
    });
    xhr.addEventListener('error', () => settle(job, 'failed', 'Failed: the connection to the computer was lost.'));
    xhr.addEventListener('abort', () => settle(job, 'cancelled', 'Cancelled'));
    xhr.addEventListener('loadend', () => {
      running--;
      pump();
    });
    const form = new FormData();
    form.append('file', job.file, job.path);
    xhr.open('POST', folderAction('upload'));
    xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.send(form);
    job.ui.info.textContent = `0 bytes of ${formatSize(size)}`;
  }

  /** Starts queued uploads while there is room; once all have ended, refreshes and reports. */
  function pump() {
    while (running < PARALLEL_UPLOADS && queue.length > 0) send(queue.shift());
    if (running > 0 || queue.length > 0) return;
    const { done, failed } = batch;
    batch = { done: 0, failed: 0 };
    if (done === 0 && failed === 0) return;
    const parts = [];
    if (done > 0) parts.push(`${done} ${done === 1 ? 'file' : 'files'} uploaded`);
    if (failed > 0) parts.push(`${failed} failed`);
    announce(`${parts.join(', ')}.`);
    if (done > 0) refreshListing();
  }

  /** Queues files (`{ file, path }`) for upload, each with its own row. */
  function upload(items) {
    for (const item of items) {
      const job = { file: item.file, path: item.path };
      job.ui = uploadRow(job);
      uploadsList.append(job.ui.row);
      queue.push(job);
    }
    pump();
  }

  for (const input of document.querySelectorAll('.write-buttons input[type="file"]')) {
    input.addEventListener('change', () => {
      // webkitRelativePath is "Folder/sub/file.jpg" for a folder pick, empty for plain files.
      upload([...input.files].map((file) => ({ file, path: file.webkitRelativePath || file.name })));
      input.value = '';
    });
  }

  // Whole folders where the browser can pick them.
  if ('webkitdirectory' in HTMLInputElement.prototype) document.querySelector('.folder-picker').hidden = false;

  // ---- Drag and drop (desktop) ----

  function carriesFiles(event) {
    return event.dataTransfer && [...event.dataTransfer.types].includes('Files');
  }

  /** Every file under a dropped entry, with its path from the drop (folders walked). */
  async function walk(entry, out) {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ file, path: entry.fullPath.replace(/^\//, '') });
      return;
    }
    const reader = entry.createReader();
    // readEntries returns a folder in batches (100 in Chromium) until an empty one.
    for (;;) {
      const children = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (children.length === 0) return;
      for (const child of children) await walk(child, out);
    }
  }

  // Counting enters and leaves: dragging over child elements fires both many times.
  let dragDepth = 0;
  document.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth++;
    document.body.classList.add('dropping');
  });
  document.addEventListener('dragleave', (event) => {
    if (!carriesFiles(event)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) document.body.classList.remove('dropping');
  });
  document.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('drop', async (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth = 0;
    document.body.classList.remove('dropping');
    // The entries must be taken now: the drop's data is gone once this handler yields.
    const entries = [...event.dataTransfer.items].map((item) => item.webkitGetAsEntry?.());
    const files = [...event.dataTransfer.files];
    if (entries.length === 0 || entries.some((entry) => !entry)) return upload(files.map((file) => ({ file, path: file.name })));
    const items = [];
    try {
      for (const entry of entries) await walk(entry, items);
    } catch {
      announce('Some dropped files could not be read.');
    }
    upload(items);
  });
})();
