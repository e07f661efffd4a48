import { Link } from "react-router";

import { useAccess } from "@/lib/access";

import { WebhooksSection } from "../webhooks/components/WebhooksSection";
import { ApiKeysSection } from "./ApiKeysSection";
import { BrandingSection } from "./BrandingSection";
import { MembersSection } from "./MembersSection";
import "./settings.css";

/** Integrations have their own screen (the integrations feature, routed in src/app). */
function IntegrationsLink() {
  if (!useAccess().can("integrations:manage")) return null;
  return (
    <section className="card" aria-labelledby="integrations-title">
      <h2 id="integrations-title">Integrations</h2>
      <p className="muted">Bring in positions from Samsara, Geotab, Verizon Connect or an MQTT broker.</p>
      <Link className="button" to="/settings/integrations">
        Manage integrations
      </Link>
    </section>
  );
}

/** Each member's own notification settings (the notifications feature, routed in src/app). */
function NotificationsLink() {
  return (
    <section className="card" aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      <p className="muted">Choose which alerts reach you in the app, by e-mail or as push notifications.</p>
      <Link className="button" to="/settings/notifications">
        Notification settings
      </Link>
    </section>
  );
}

/** The tenant's settings; each section shows only what the caller's role may see or change. */
export function SettingsPage() {
  return (
    <>
      <h1>Settings</h1>
      <div className="section-stack settings">
        <NotificationsLink />
        <MembersSection />
        <ApiKeysSection />
        <BrandingSection />
        <WebhooksSection />
        <IntegrationsLink />
      </div>
    </>
  );
}
