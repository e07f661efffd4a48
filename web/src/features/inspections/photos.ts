// Photos for a defect, read on the device into plain data (base64) so they survive in the
// offline queue's IndexedDB until the inspection is sent. Large photos are scaled down first
// where the browser can decode them; the server checks every photo again by its bytes.
import { base64Of, bytesOf } from "@/lib/fileBytes";

import type { PhotoIn } from "./api";

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const LONG_SIDE = 1600;
const ACCEPTED: Record<string, PhotoIn["content_type"]> = {
  "image/jpeg": "image/jpeg",
  "image/png": "image/png",
  "image/webp": "image/webp",
  "image/heic": "image/heic",
  "image/heif": "image/heif",
};

export class PhotoProblem extends Error {}

/** A smaller JPEG of a photo the browser can draw, or null (HEIC on most browsers, tests). */
async function scaledDown(file: Blob): Promise<Blob | null> {
  if (typeof createImageBitmap !== "function" || typeof OffscreenCanvas !== "function") return null;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = new OffscreenCanvas(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
    canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return await canvas.convertToBlob({ type: "image/jpeg", quality: 0.82 });
  } catch {
    return null;
  }
}

/** A chosen or taken photo as the API takes it; refuses what the server would refuse. */
export async function readPhoto(file: File): Promise<PhotoIn> {
  const declared = ACCEPTED[file.type.toLowerCase()];
  if (!declared) throw new PhotoProblem(`${file.name}: only JPEG, PNG, WebP or HEIC photos.`);
  const smaller = file.size > 1024 * 1024 && declared !== "image/heic" && declared !== "image/heif" ? await scaledDown(file) : null;
  const blob = smaller ?? file;
  if (blob.size > MAX_PHOTO_BYTES) throw new PhotoProblem(`${file.name}: a photo may be at most 10 MB.`);
  return {
    content_type: smaller ? "image/jpeg" : declared,
    data: base64Of(await bytesOf(blob)),
  };
}
