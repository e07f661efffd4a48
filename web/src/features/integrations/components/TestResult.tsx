import { ErrorNotice } from "@/components/Status";

import type { IntegrationCheck } from "../api";
import { checkWords } from "../status";

/** What a test found: "Connected: 12 vehicles found.", or the vendor's problem in its words. */
export function TestResult({ check, error }: { check?: IntegrationCheck; error?: unknown }) {
  if (error) return <ErrorNotice error={error} title="The test could not run." />;
  if (!check) return null;
  const words = checkWords(check);
  return (
    <div className={`notice ${words.ok ? "notice-success" : "notice-error"} test-result`} role={words.ok ? "status" : "alert"}>
      <strong>{words.headline}</strong> {words.detail}
    </div>
  );
}
