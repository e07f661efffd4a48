"""Groups as places: a depot can have a location (a point and a radius in metres), so a
vehicle standing within the circle is "at Pasila depot" rather than on a street.

All three columns are null (no location) or all three set; the ranges are checked here as
well as by the API, so a row written by hand can't make the place namer divide by nonsense.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.execute(
        """
        alter table groups
            add column latitude double precision,
            add column longitude double precision,
            add column radius_m integer,
            add constraint ck_groups_location_whole check (
                (latitude is null and longitude is null and radius_m is null)
                or (latitude is not null and longitude is not null and radius_m is not null)
            ),
            add constraint ck_groups_latitude check (latitude between -90 and 90),
            add constraint ck_groups_longitude check (longitude between -180 and 180),
            add constraint ck_groups_radius_m check (radius_m between 20 and 5000)
        """
    )


def downgrade() -> None:
    op.execute(
        """
        alter table groups
            drop constraint if exists ck_groups_radius_m,
            drop constraint if exists ck_groups_longitude,
            drop constraint if exists ck_groups_latitude,
            drop constraint if exists ck_groups_location_whole,
            drop column if exists radius_m,
            drop column if exists longitude,
            drop column if exists latitude
        """
    )
