import { useAppUpdate } from "./serviceWorker";
import "./offline.css";

/** "A new version is ready" with a reload button, once a new build has been installed. */
export function UpdateBanner() {
  const { ready, reload } = useAppUpdate();
  if (!ready) return null;
  return (
    <div className="update-banner" role="status">
      <span>A new version of Fleetyard is ready.</span>
      <button type="button" className="button button-small" onClick={reload}>
        Reload
      </button>
    </div>
  );
}
