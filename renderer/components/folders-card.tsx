/**
 * The shared folders: add (native picker, or a typed path where the host has none), open in the
 * file manager, remove.
 */
import { useRef, useState, type FormEvent } from 'react';
import { useActions, useServer } from '../stores/context.js';
import { baseName } from '../format.js';
import { ExternalIcon, FolderIcon, PlusIcon, TrashIcon } from './icons.js';
import { Button, Card, Field, IconButton } from './ui.js';

const EMPTY: string[] = [];

export function FoldersCard() {
  const actions = useActions();
  const folders = useServer((s) => s.settings?.folders ?? EMPTY);
  const canOpen = useServer((s) => s.capabilities.openFolder);
  const canPick = useServer((s) => s.capabilities.pickFolders);
  const folderError = useServer((s) => Object.entries(s.fieldErrors).find(([k]) => k.startsWith('folders'))?.[1]);
  const [typing, setTyping] = useState(false);
  const [picking, setPicking] = useState(false);

  const add = async () => {
    if (!canPick) return setTyping(true);
    setPicking(true);
    const outcome = await actions.pickFolders();
    setPicking(false);
    if (outcome === 'unsupported') setTyping(true);
  };

  return (
    <Card
      title="Shared folders"
      description="One folder is shared as it is; with several, each appears as a top-level folder."
      actions={
        <Button icon={<PlusIcon />} busy={picking} onClick={() => void add()} aria-expanded={typing || undefined}>
          Add folder…
        </Button>
      }
    >
      {folders.length === 0 && !typing ? (
        <div className="folders-empty">
          <FolderIcon size={28} />
          <p>Nothing shared yet. Add a folder — only what is inside it will be visible.</p>
        </div>
      ) : (
        <ul className="folder-list" aria-label="Shared folders">
          {folders.map((path) => (
            <li key={path} className="folder-row">
              <span className="folder-icon">
                <FolderIcon />
              </span>
              <div className="folder-text">
                <span className="folder-name">{baseName(path)}</span>
                <span className="folder-path" title={path}>
                  {path}
                </span>
              </div>
              <div className="row-actions">
                {canOpen && (
                  <IconButton label={`Open ${baseName(path)} in the file manager`} icon={<ExternalIcon />} onClick={() => void actions.openFolder(path)} />
                )}
                <IconButton label={`Remove ${baseName(path)}`} icon={<TrashIcon />} variant="danger" onClick={() => void actions.removeFolder(path)} />
              </div>
            </li>
          ))}
        </ul>
      )}
      {folderError && <p className="field-error card-error">{folderError}</p>}
      {typing && <AddByPathForm onDone={() => setTyping(false)} />}
    </Card>
  );
}

/** The fallback of hosts without a folder picker (the browser): type the path. */
function AddByPathForm({ onDone }: { onDone: () => void }) {
  const actions = useActions();
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = path.trim();
    if (!trimmed) {
      setError('Type the full path of a folder on this computer');
      input.current?.focus();
      return;
    }
    setBusy(true);
    const message = await actions.addFolder(trimmed);
    setBusy(false);
    if (message) {
      setError(message);
      input.current?.focus();
    } else {
      setPath('');
      setError(undefined);
      onDone();
    }
  };

  return (
    <form className="add-path" onSubmit={(e) => void submit(e)}>
      <Field label="Folder path" error={error} hint="This window can't open a folder picker, so type the folder's full path, e.g. /home/you/Pictures or C:\Users\you\Pictures.">
        {({ id, describedBy, invalid }) => (
          <div className="input-row">
            <input
              ref={input}
              id={id}
              className="input mono"
              value={path}
              autoFocus
              spellCheck={false}
              autoComplete="off"
              placeholder="/path/to/folder"
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(e) => setPath(e.currentTarget.value)}
              onKeyDown={(e) => e.key === 'Escape' && onDone()}
            />
            <Button type="submit" variant="primary" busy={busy}>
              Add
            </Button>
            <Button variant="ghost" onClick={onDone}>
              Cancel
            </Button>
          </div>
        )}
      </Field>
    </form>
  );
}
