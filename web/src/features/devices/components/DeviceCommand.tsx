import { useId, useState, type FormEvent } from "react";

import { ErrorNotice } from "@/components/Status";

import { COMMAND_PROTOCOLS, useSendCommand, type Device } from "../api";

/** Send a text command (Codec 12) to the connected device; its answer, or why none came. */
export function DeviceCommand({ device }: { device: Device }) {
  const send = useSendCommand();
  const [command, setCommand] = useState("");
  const id = useId();
  const supported = COMMAND_PROTOCOLS.includes(device.protocol);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (command.trim()) send.mutate({ id: device.id, command: command.trim() });
  };
  return (
    <section className="card" aria-labelledby="command-title">
      <h2 id="command-title">Send a command</h2>
      {supported ? (
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor={id}>Command</label>
            <input
              id={id}
              autoComplete="off"
              spellCheck={false}
              maxLength={500}
              placeholder="getinfo"
              aria-describedby={`${id}-hint`}
              value={command}
              onChange={(event) => setCommand(event.target.value)}
            />
            <span id={`${id}-hint`} className="hint">
              Sent to the device while it is connected; the answer can take up to 20 seconds.
            </span>
          </div>
          <button type="submit" className="button button-primary" disabled={send.isPending || !command.trim()}>
            {send.isPending ? "Waiting for the answer…" : "Send command"}
          </button>
        </form>
      ) : (
        <p className="muted">Commands can be sent to Teltonika devices only.</p>
      )}
      <div role="status" aria-live="polite" className="command-result">
        {send.isSuccess ? (
          <div className="notice notice-success">
            <strong>Answer to “{send.data.command}”:</strong>
            <pre className="command-answer">{send.data.response}</pre>
          </div>
        ) : null}
      </div>
      {send.isError ? <ErrorNotice error={send.error} title="No answer." /> : null}
    </section>
  );
}
