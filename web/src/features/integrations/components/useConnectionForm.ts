import { useCallback, useEffect, useRef, useState } from "react";

import { serverFieldErrors, validate, type FormErrors, type FormValues, type ProviderSpec } from "../providers";

function without(errors: FormErrors, name: string): FormErrors {
  // a check across a whole document (MQTT's username for a password) goes with any of its fields
  const part = name.includes(".") ? name.split(".")[0]! : null;
  if (!(name in errors) && !(part && part in errors)) return errors;
  const rest = { ...errors };
  delete rest[name];
  if (part) delete rest[part];
  return rest;
}

/**
 * A connection form's values and its errors: the client's checks (the server models'
 * rules) on Test or Save, and the server's 422s by field; a field's error goes once it is
 * edited. After a refused check the first field in error gets the focus.
 */
export function useConnectionForm(initial: FormValues) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const formRef = useRef<HTMLFormElement>(null);
  const [focusTick, setFocusTick] = useState(0);

  useEffect(() => {
    if (!focusTick) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusTick]);

  const change = useCallback((name: string, value: string | boolean) => {
    setValues((current) => ({ ...current, [name]: value }));
    setErrors((current) => without(current, name));
  }, []);

  /** The client's checks: true when the form may be sent. */
  const check = useCallback(
    (spec: ProviderSpec, withCredentials: boolean): boolean => {
      const found = validate(spec, values, withCredentials);
      setErrors(found);
      if (Object.keys(found).length) {
        setFocusTick((tick) => tick + 1);
        return false;
      }
      return true;
    },
    [values],
  );

  /** The server's refusal, shown at its fields. */
  const refused = useCallback((error: unknown) => {
    const found = serverFieldErrors(error);
    setErrors(found);
    if (Object.keys(found).length) setFocusTick((tick) => tick + 1);
  }, []);

  const reset = useCallback((next: FormValues) => {
    setValues(next);
    setErrors({});
  }, []);

  return { values, errors, change, check, refused, reset, formRef };
}
