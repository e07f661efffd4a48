// A proof photo read on the device into plain data (base64), so it survives in the offline
// queue's IndexedDB until the step is sent. The server checks the bytes again.
import { base64Of, bytesOf } from "@/lib/fileBytes";

import type { PhotoIn } from "./api";

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const ACCEPTED: Record<string, PhotoIn["content_type"]> = {
  "image/jpeg": "image/jpeg",
  "image/png": "image/png",
  "image/webp": "image/webp",
  "image/heic": "image/heic",
  "image/heif": "image/heif",
};
export const PHOTO_ACCEPT = Object.keys(ACCEPTED).join(",");

export class PhotoProblem extends Error {}

/** A chosen or taken photo as the API takes it; refuses what the server would refuse. */
export async function readPhoto(file: File): Promise<PhotoIn> {
  const type = ACCEPTED[file.type.toLowerCase()];
  if (!type) throw new PhotoProblem(`${file.name}: only JPEG, PNG, WebP or HEIC photos.`);
  if (file.size > MAX_PHOTO_BYTES) throw new PhotoProblem(`${file.name}: a photo may be at most 10 MB.`);
  return { content_type: type, data: base64Of(await bytesOf(file)) };
}
