// A file's bytes for a JSON body: photos (inspections' defects, dispatch's proofs) travel as
// base64 inside the queued change, so the offline queue can store and replay them.

/** Base64 of the bytes, in chunks (a spread of a whole photo would overflow the call stack). */
export function base64Of(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** The blob's bytes (FileReader where Blob.arrayBuffer is missing: older WebViews, jsdom). */
export function bytesOf(blob: Blob): Promise<ArrayBuffer> {
  if (typeof blob.arrayBuffer === "function") return blob.arrayBuffer();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error("unreadable"));
    reader.readAsArrayBuffer(blob);
  });
}
