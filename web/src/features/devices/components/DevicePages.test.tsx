import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { sizeScrollers } from "@/test/layout";
import { json, renderAt, stubFetch } from "@/test/render";

import type { Device } from "../api";
import { DeviceDetailPage } from "./DeviceDetailPage";
import { DeviceEditPage } from "./DeviceEditPage";
import { DevicesPage } from "./DevicesPage";

beforeEach(() => sizeScrollers());
afterEach(() => vi.unstubAllGlobals());

const ID = "00000000-0000-7000-8000-0000000000d1";
const device: Device = {
  id: ID,
  version: 1,
  unique_id: "352094080000001",
  protocol: "teltonika",
  name: "Cab tracker",
  phone: null,
  vehicle_id: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

function detailApi(answer: () => Response) {
  return stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === `/api/v1/devices/${ID}`) return json(device);
    if (url.pathname === `/api/v1/devices/${ID}/commands`) return answer();
    return undefined;
  });
}

async function sendCommand(text: string) {
  renderAt(asRole("fleet_manager", <DeviceDetailPage />), `/devices/${ID}`, "/devices/:deviceId");
  await userEvent.type(await screen.findByLabelText("Command"), text);
  await userEvent.click(screen.getByRole("button", { name: "Send command" }));
}

describe("devices", () => {
  it("shows a command's answer", async () => {
    const calls = detailApi(() => json({ command: "getinfo", response: "RTC:2026/1/1 Init:..." }));
    await sendCommand("getinfo");
    expect(await screen.findByText("RTC:2026/1/1 Init:...")).toBeTruthy();
    expect(await calls.at(-1)?.json()).toEqual({ command: "getinfo" });
  });

  it("shows the timeout when the device does not answer", async () => {
    detailApi(() =>
      json(
        { error: { code: "device_timeout", message: "The device did not answer in time.", details: {} } },
        504,
      ),
    );
    await sendCommand("getinfo");
    expect((await screen.findByRole("alert")).textContent).toBe("No answer. The device did not answer in time.");
  });

  it("claims an unknown device into a vehicle", async () => {
    const vehicle = { id: "00000000-0000-7000-8000-0000000000a1", plate: "AC-0005", name: "Van 5" };
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/devices") return json({ items: [], next_cursor: null });
      if (url.pathname === "/api/v1/devices/unknown") {
        return json([
          {
            unique_id: "359999000000001",
            protocol: "osmand",
            first_seen_at: "2026-01-01T00:00:00Z",
            last_seen_at: "2026-01-01T00:00:00Z",
            attempts: 2,
          },
        ]);
      }
      if (url.pathname === "/api/v1/devices/unknown/359999000000001/claim") {
        return json({ ...device, unique_id: "359999000000001", protocol: "osmand" }, 201);
      }
      if (url.pathname === "/api/v1/vehicles") return json({ items: [vehicle], next_cursor: null });
      return undefined;
    });
    renderAt(asRole("admin", <DevicesPage />), "/devices");
    await userEvent.click(await screen.findByRole("button", { name: "Claim device 359999000000001" }));
    await userEvent.selectOptions(await screen.findByLabelText("Into vehicle"), "AC-0005 · Van 5");
    await userEvent.click(screen.getByRole("button", { name: "Claim 359999000000001" }));
    expect(await screen.findByRole("link", { name: "359999000000001" })).toBeTruthy();
    const claim = calls.find((c) => c.method === "POST");
    expect(await claim?.json()).toEqual({ vehicle_id: vehicle.id, name: null, protocol: "osmand" });
  });

  it("labels an integration's devices and filters by their protocol", async () => {
    const vendor: Device = { ...device, unique_id: "mqtt-0a1b2c3d4e-van-3", protocol: "mqtt", name: "Van 3 (mqtt)" };
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/devices") return json({ items: [vendor], next_cursor: null });
      if (url.pathname === "/api/v1/devices/unknown") return json([]);
      return undefined;
    });
    renderAt(asRole("viewer", <DevicesPage />), "/devices?protocol=mqtt");
    expect(await screen.findByText("MQTT (integration)", { selector: "td, [role=cell], div" })).toBeTruthy();
    const filter = screen.getByLabelText<HTMLSelectElement>("Protocol");
    expect(filter.value).toBe("mqtt");
    expect([...filter.options].map((o) => o.text)).toEqual(
      expect.arrayContaining(["Geotab (integration)", "Samsara (integration)", "Verizon Connect (integration)"]),
    );
    const listed = calls.find((c) => new URL(c.url).pathname === "/api/v1/devices");
    expect(new URL(listed!.url).searchParams.get("protocol")).toBe("mqtt");
  });

  it("keeps an integration device's id and protocol when it is edited", async () => {
    const vendor: Device = { ...device, unique_id: "geotab-0a1b2c3d4e-b1", protocol: "geotab", name: null };
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/devices/${ID}` && request.method === "GET") return json(vendor);
      if (url.pathname === `/api/v1/devices/${ID}`) return json({ ...vendor, name: "Truck 12", version: 2 });
      return undefined;
    });
    const { router } = renderAt(asRole("fleet_manager", <DeviceEditPage />), `/devices/${ID}/edit`, "/devices/:deviceId/*");
    const id = await screen.findByLabelText<HTMLInputElement>(/Device id/);
    expect(id.readOnly).toBe(true);
    const protocol = screen.getByLabelText<HTMLSelectElement>(/Protocol/);
    expect(protocol.disabled).toBe(true);
    expect(protocol.selectedOptions[0]?.text).toBe("Geotab (integration)");
    await userEvent.type(screen.getByLabelText("Name"), "Truck 12");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    const patch = await vi.waitFor(() => {
      const found = calls.find((c) => c.method === "PATCH");
      if (!found) throw new Error("not saved yet");
      return found;
    });
    expect(await patch.json()).toEqual({ name: "Truck 12", version: 1 });
    await vi.waitFor(() => expect(router.state.location.pathname).toBe(`/devices/${ID}`));
  });

  it("offers a viewer neither registering, claiming nor commands", async () => {
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/devices") return json({ items: [device], next_cursor: null });
      return undefined;
    });
    renderAt(asRole("viewer", <DevicesPage />), "/devices");
    expect(await screen.findByRole("link", { name: device.unique_id })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Register device" })).toBeNull();
    expect(screen.queryByRole("heading", { name: "Unknown devices" })).toBeNull();
  });
});
