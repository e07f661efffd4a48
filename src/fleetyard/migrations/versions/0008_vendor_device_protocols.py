"""Vendor devices get their provider as protocol.

Devices made by the integrations for matched vendor vehicles were stored with protocol
``other``; they now carry their provider's name (``geotab``, ``samsara``, ``verizon_connect``,
``mqtt``), which the devices API shows and filters by, and refuses by hand. ``protocol`` is
text (``varchar(32)``, checked by the application), so only the rows change: every device an
``integration_vehicles`` row points at, tenant by tenant (``devices`` and
``integration_vehicles`` force row-level security, on the owner too).

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"

PER_TENANT = """
do $$
declare
    tenant uuid;
begin
    for tenant in select id from tenants loop
        perform set_config('app.tenant_id', tenant::text, true);
        {statement}
    end loop;
    perform set_config('app.tenant_id', '', true);
end $$;
"""

TO_PROVIDER = """
update devices d
   set protocol = i.provider, version = d.version + 1, updated_at = now()
  from integration_vehicles iv
  join integrations i on i.tenant_id = iv.tenant_id and i.id = iv.integration_id
 where d.tenant_id = tenant and iv.tenant_id = d.tenant_id and iv.device_id = d.id
   and d.protocol = 'other'
   and i.provider in ('geotab', 'samsara', 'verizon_connect', 'mqtt');
"""

TO_OTHER = """
update devices d
   set protocol = 'other', version = d.version + 1, updated_at = now()
 where d.tenant_id = tenant
   and d.protocol in ('geotab', 'samsara', 'verizon_connect', 'mqtt');
"""


def upgrade() -> None:
    op.execute(PER_TENANT.format(statement=TO_PROVIDER))


def downgrade() -> None:
    # the code before this revision reads no provider protocol
    op.execute(PER_TENANT.format(statement=TO_OTHER))
