"""Named keys of ``Position.attributes``: one vocabulary whatever protocol a fix came in on."""

from __future__ import annotations

from typing import Final

# A numeric reading beyond this is garbage, not a measurement; SQL that reads attributes as
# float8 leaves such values out (a JSON number may have hundreds of digits: no float8 holds it).
MAX_READING: Final = 10**12

RPM: Final = "rpm"  # engine speed, revolutions per minute
COOLANT_TEMP_C: Final = "coolant_temp_c"  # engine coolant temperature, °C
FUEL_LEVEL_PCT: Final = "fuel_level_pct"  # fuel level, % of tank
FUEL_USED_L: Final = "fuel_used_l"  # total fuel used, litres
BATTERY_V: Final = "battery_v"  # internal (backup) battery voltage, V
POWER_V: Final = "power_v"  # external (vehicle) supply voltage, V
ENGINE_HOURS: Final = "engine_hours"  # total engine hours, h
DTCS: Final = "dtcs"  # list of diagnostic trouble codes, e.g. ["P0301"]
IO: Final = "io"  # raw IO element map: {"<id>": value}, as the device sent it
EVENT: Final = "event"  # id of the IO element / event that triggered the record
ALARM: Final = "alarm"  # alarm name: sos, power_cut, vibration, overspeed, geofence_in, …
MOTION: Final = "motion"  # bool
CHARGE: Final = "charge"  # bool, battery charging
GSM_SIGNAL: Final = "gsm_signal"  # 0–5 or 0–100 as the device reports it
CELL: Final = "cell"  # {"mcc", "mnc", "lac", "cid"}
STATUS: Final = "status"  # protocol-specific status word (int)
SERIAL: Final = "serial"  # protocol message serial number
BATTERY_LEVEL_PCT: Final = "battery_level_pct"  # phone / device battery, %
ACCURACY_M: Final = "accuracy_m"  # horizontal accuracy radius, m
PRIORITY: Final = "priority"  # Teltonika record priority: 0 low, 1 high, 2 panic
TRIP_ODOMETER_M: Final = "trip_odometer_m"
HARSH_BRAKING: Final = "harsh_braking"  # bool: a harsh braking event
HARSH_ACCELERATION: Final = "harsh_acceleration"
HARSH_CORNERING: Final = "harsh_cornering"
ENGINE_LOAD_PCT: Final = "engine_load_pct"  # calculated engine load, %
VIN: Final = "vin"  # vehicle identification number as read from the vehicle bus
GENERATION_TYPE: Final = "generation_type"  # Teltonika Codec 16: why the IO was generated
ARMED: Final = "armed"  # bool: the device's own alarm/defence mode is armed
BLOCKED: Final = "blocked"  # bool: engine / fuel cut-off relay active
GPS_TRACKING: Final = "gps_tracking"  # bool: the device reports GPS tracking switched on
VOLTAGE_LEVEL: Final = "voltage_level"  # GT06-style supply level 0 (none) … 6 (very high)
ARCHIVE: Final = "archive"  # bool: a buffered record uploaded late, not a live one
CELL_TOWERS: Final = "cell_towers"  # list of {"mcc", "mnc", "lac", "cid", "rssi"?}
WIFI_ACCESS_POINTS: Final = "wifi_access_points"  # list of {"mac" (aa:bb:…), "rssi"}
MOCK: Final = "mock"  # bool: the phone reports a simulated (mock) location
ACTIVITY: Final = "activity"  # phone-detected activity: still, walking, in_vehicle, …
DRIVER_UNIQUE_ID: Final = "driver_unique_id"  # driver id the device read (iButton, RFID, app)
EXTRAS: Final = "extras"  # {name: value} a device sent that has no named key here
