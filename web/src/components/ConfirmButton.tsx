import { useEffect, useId, useRef, useState } from "react";

import "./components.css";

interface Props {
  /** The first button's text ("Delete"). */
  label: string;
  /** Its accessible name when the text alone is ambiguous in a list ("Remove Ada Lovelace"). */
  ariaLabel?: string;
  /** The question asked before acting ("Delete driver Ada Lovelace?"). */
  prompt: string;
  /** The button that acts ("Delete driver"). */
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
  disabled?: boolean;
  /** Why it is disabled, read out with the button. */
  disabledReason?: string;
  className?: string;
}

/**
 * A destructive action asked twice, inline: the question and its two buttons replace the
 * first button, and focus moves to "Cancel" (the safe choice) so Enter does no harm.
 */
export function ConfirmButton(props: Props) {
  const [asking, setAsking] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const promptId = useId();
  const reasonId = useId();
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) openerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <>
        <button
          ref={openerRef}
          type="button"
          className={props.className ?? "button button-danger"}
          disabled={props.disabled || props.pending}
          aria-label={props.ariaLabel}
          aria-describedby={props.disabled && props.disabledReason ? reasonId : undefined}
          onClick={() => setAsking(true)}
        >
          {props.pending ? "Working…" : props.label}
        </button>
        {props.disabled && props.disabledReason ? (
          <span id={reasonId} className="visually-hidden">
            {props.disabledReason}
          </span>
        ) : null}
      </>
    );
  }
  return (
    <span className="confirm" role="group" aria-labelledby={promptId}>
      <span id={promptId}>{props.prompt}</span>
      <button
        type="button"
        className="button button-danger"
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </button>
      <button ref={cancelRef} type="button" className="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
