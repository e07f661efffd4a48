// The form's own rules, apart from the screen: answers per item, what is missing, the body.
import type { AnswerIn, InspectionForm, InspectionSubmit, PhotoIn, TemplateItem } from "./api";

export type Result = AnswerIn["result"];

export interface Answer {
  result?: Result;
  note: string;
  photos: PhotoIn[];
}

export type Answers = Record<string, Answer>;

export const EMPTY: Answer = { note: "", photos: [] };

/** Items grouped by their section, in checklist order. */
export function sections(items: readonly TemplateItem[]): [string, TemplateItem[]][] {
  const groups = new Map<string, TemplateItem[]>();
  for (const item of items) {
    const list = groups.get(item.section) ?? [];
    list.push(item);
    groups.set(item.section, list);
  }
  return [...groups.entries()];
}

export function unanswered(items: readonly TemplateItem[], answers: Answers): TemplateItem[] {
  return items.filter((item) => !answers[item.id]?.result);
}

export function failures(items: readonly TemplateItem[], answers: Answers) {
  const failed = items.filter((item) => answers[item.id]?.result === "fail");
  return { failed: failed.length, critical: failed.filter((item) => item.critical).length };
}

/** The submission: every item answered; photos and notes only where they belong. */
export function submission(
  form: InspectionForm,
  answers: Answers,
  extra: { notes: string; odometerKm: string; performedAt: string },
): InspectionSubmit {
  const odometer = extra.odometerKm.trim() === "" ? null : Number(extra.odometerKm);
  return {
    vehicle_id: form.vehicle_id,
    template_id: form.template.id,
    kind: form.kind,
    performed_at: extra.performedAt,
    notes: extra.notes.trim(),
    ...(odometer !== null && Number.isFinite(odometer) ? { odometer_km: odometer } : {}),
    answers: form.template.items.map((item) => {
      const answer = answers[item.id] ?? EMPTY;
      const result = answer.result ?? "na";
      return {
        item_id: item.id,
        result,
        note: answer.note.trim(),
        photos: result === "fail" ? answer.photos : [],
      };
    }),
  };
}
