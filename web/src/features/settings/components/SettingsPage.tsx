import { WebhooksSection } from "../webhooks/components/WebhooksSection";
import { ApiKeysSection } from "./ApiKeysSection";
import { BrandingSection } from "./BrandingSection";
import { MembersSection } from "./MembersSection";
import "./settings.css";

/** The tenant's settings; each section shows only what the caller's role may see or change. */
export function SettingsPage() {
  return (
    <>
      <h1>Settings</h1>
      <div className="section-stack settings">
        <MembersSection />
        <ApiKeysSection />
        <BrandingSection />
        <WebhooksSection />
      </div>
    </>
  );
}
