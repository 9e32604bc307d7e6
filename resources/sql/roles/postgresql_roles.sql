-- `qrtickets roles install` (issue 13; PRODUCT.md 4b "Operators and roles", "Roles, precisely").
-- Applied by the command, as the owner of the tables, never by `migrate`: every statement is
-- idempotent and only adds, so running it twice changes nothing. @SCHEMA@ is the schema of the
-- product's tables (quoted by the program).
--
-- qrtickets_admin: everything the program does (all rights on the product's tables and sequences).
-- qrtickets_door: SELECT on the qrt_door_* views only (no e-mail, phone or payment totals), and
-- EXECUTE on SECURITY DEFINER functions that admit, undo its own admission and read the door cache.
-- Every function pins search_path = pg_catalog, pg_temp and names every table, view, function and
-- type with @SCHEMA@ (built-ins that overload, such as cardinality(anyarray), with pg_catalog), so
-- an object someone created in the schema is never called with the owner's rights.
-- No table privilege at all: a direct UPDATE/DELETE/TRUNCATE or a SELECT of contact_email fails with
-- SQLSTATE 42501.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'qrtickets_admin') THEN
        CREATE ROLE qrtickets_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'qrtickets_door') THEN
        CREATE ROLE qrtickets_door NOLOGIN;
    END IF;
END
$$;

-- What the door may read: tickets with the order's names, event and payment status.
CREATE OR REPLACE VIEW @SCHEMA@.qrt_door_tickets AS
SELECT t.ticket_id, t.code, t.order_id, t.ticket_type, t.product_id,
       coalesce(NULLIF(t.product_id, ''), o.event_id) AS event_id, o.event_name,
       o.contact_firstname, o.contact_lastname, o.payment_status, o.order_status,
       t.status, t.updated_by, t.updated_at
FROM @SCHEMA@.ghl_qr_tickets t
JOIN @SCHEMA@.ghl_qr_orders o ON o.order_id = t.order_id;

-- What the door may read of an order (the scan's verdict, the offline door cache): names, event,
-- payment and order status, and the line items' product ids, names and quantities (no prices); no
-- e-mail, phone or totals.
CREATE OR REPLACE VIEW @SCHEMA@.qrt_door_orders AS
SELECT o.order_id, o.location_id, o.payment_status, o.payment_currency, o.order_status, o.contact_id,
       o.contact_firstname, o.contact_lastname, o.date_added, o.event_id, o.event_name, o.event_ticket_type,
       o.event_ticket_qty, o.ticket_quantities,
       (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('product_id', i.value -> 'product_id',
                                                                  'product_name', i.value -> 'product_name',
                                                                  'qty', i.value -> 'qty'))
        FROM pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(o.line_items) = 'array'
                                                  THEN o.line_items ELSE '[]'::jsonb END) AS i) AS line_items,
       o.ghl_updated_at, o.updated_at, o.tickets_live, o.tickets_used, o.tickets_cancelled
FROM @SCHEMA@.ghl_qr_orders o;

-- The event overview (counts only).
CREATE OR REPLACE VIEW @SCHEMA@.qrt_door_event_counts AS
SELECT coalesce(NULLIF(t.product_id, ''), o.event_id) AS event_id, pg_catalog.max(o.event_name) AS event_name,
       pg_catalog.count(*) FILTER (WHERE t.status = 'live') AS live,
       pg_catalog.count(*) FILTER (WHERE t.status = 'used') AS used,
       pg_catalog.count(*) FILTER (WHERE t.status = 'cancelled') AS cancelled
FROM @SCHEMA@.ghl_qr_tickets t
JOIN @SCHEMA@.ghl_qr_orders o ON o.order_id = t.order_id
GROUP BY 1;

-- Admissions over time (the arrivals chart) and "used by WHO at TIME".
CREATE OR REPLACE VIEW @SCHEMA@.qrt_door_ticket_events AS
SELECT e.id, e.ticket_id, e.order_id, e.from_status, e.to_status, e.at, e.actor, e.operator
FROM @SCHEMA@.ticket_events e;

-- Does a ticket's event belong to the station's events (NULL or empty: every event)?
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_door_event_matches(p_event text, p_events text[])
RETURNS boolean LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT p_events IS NULL OR pg_catalog.cardinality(p_events) = 0
    OR pg_catalog.lower(p_event) IN (SELECT pg_catalog.lower(e) FROM pg_catalog.unnest(p_events) AS e)
$$;

-- The row every door function answers with: the outcome and what the station shows.
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_door_verdict(p_ticket_id integer, p_outcome text, p_events text[])
RETURNS TABLE (outcome text, ticket_id integer, order_id text, ticket_status text, used_by text,
               used_at timestamptz, admitted_in_order integer, total_in_order integer,
               contact_firstname text, contact_lastname text, payment_status text, event_id text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT coalesce(p_outcome, CASE t.status WHEN 'cancelled' THEN 'cancelled' ELSE 'already_used' END),
       t.ticket_id, t.order_id, t.status,
       CASE WHEN t.status = 'used' THEN t.updated_by END,
       CASE WHEN t.status = 'used' THEN t.updated_at END,
       (SELECT count(*) FROM @SCHEMA@.qrt_door_tickets x WHERE x.order_id = t.order_id AND x.status = 'used'
            AND @SCHEMA@.qrt_door_event_matches(x.event_id, p_events))::integer,
       (SELECT count(*) FROM @SCHEMA@.qrt_door_tickets x WHERE x.order_id = t.order_id AND x.status IN ('used', 'live')
            AND @SCHEMA@.qrt_door_event_matches(x.event_id, p_events))::integer,
       t.contact_firstname, t.contact_lastname, t.payment_status, t.event_id
FROM @SCHEMA@.qrt_door_tickets t
WHERE t.ticket_id = p_ticket_id
$$;

-- live -> used as one conditional UPDATE (src/db/ticketadmission.cpp): of any number of concurrent
-- callers exactly one wins; the winner's ticket_events row names the station and the operator.
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_door_admit_id(p_ticket_id integer, p_station text, p_events text[])
RETURNS TABLE (outcome text, ticket_id integer, order_id text, ticket_status text, used_by text,
               used_at timestamptz, admitted_in_order integer, total_in_order integer,
               contact_firstname text, contact_lastname text, payment_status text, event_id text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_order text;
BEGIN
    UPDATE @SCHEMA@.ghl_qr_tickets SET status = 'used', updated_at = now(), updated_by = NULLIF(left(p_station, 200), '')
    WHERE ticket_id = p_ticket_id AND status = 'live'
    RETURNING order_id INTO v_order;
    IF FOUND THEN
        INSERT INTO @SCHEMA@.ticket_events (ticket_id, order_id, from_status, to_status, at, actor, operator)
        VALUES (p_ticket_id, v_order, 'live', 'used', now(), NULLIF(left(p_station, 200), ''), session_user);
        RETURN QUERY SELECT * FROM @SCHEMA@.qrt_door_verdict(p_ticket_id, 'admitted', p_events);
    ELSE
        RETURN QUERY SELECT * FROM @SCHEMA@.qrt_door_verdict(p_ticket_id, NULL, p_events);
    END IF;
END
$$;

-- A void order (GHL says refunded, cancelled or voided, in its order or its payment status): nobody
-- gets in on it, whatever its tickets say, as in DoorCheck (src/door/doorcheck.cpp). 'refunded',
-- 'order_cancelled', or NULL when the order is valid.
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_door_void(p_payment text, p_order_status text)
RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
SELECT CASE WHEN pg_catalog.lower(p_payment) = 'refunded' OR pg_catalog.lower(p_order_status) = 'refunded' THEN 'refunded'
            WHEN pg_catalog.lower(p_payment) IN ('cancelled', 'canceled', 'voided')
              OR pg_catalog.lower(p_order_status) IN ('cancelled', 'canceled', 'voided') THEN 'order_cancelled'
       END
$$;

-- Admit by ticket code. Outcomes: admitted, already_used, cancelled (the ticket), not_found, refunded
-- or order_cancelled (a void order, checked before the event), other_event, unpaid (only when
-- p_admit_unpaid is false: the station's [door] admit_unpaid = never, or ask unconfirmed).
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_door_admit_code(p_code text, p_station text, p_events text[] DEFAULT NULL,
                                               p_admit_unpaid boolean DEFAULT true)
RETURNS TABLE (outcome text, ticket_id integer, order_id text, ticket_status text, used_by text,
               used_at timestamptz, admitted_in_order integer, total_in_order integer,
               contact_firstname text, contact_lastname text, payment_status text, event_id text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_id integer;
    v_event text;
    v_payment text;
    v_order_status text;
    v_void text;
BEGIN
    SELECT t.ticket_id, t.event_id, t.payment_status, t.order_status INTO v_id, v_event, v_payment, v_order_status
    FROM @SCHEMA@.qrt_door_tickets t WHERE t.code = p_code;
    IF v_id IS NULL THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::integer, NULL::text, NULL::text, NULL::text, NULL::timestamptz,
                            0, 0, NULL::text, NULL::text, NULL::text, NULL::text;
        RETURN;
    END IF;
    v_void := @SCHEMA@.qrt_door_void(v_payment, v_order_status);
    IF v_void IS NOT NULL THEN
        RETURN QUERY SELECT * FROM @SCHEMA@.qrt_door_verdict(v_id, v_void, p_events);
        RETURN;
    END IF;
    IF NOT @SCHEMA@.qrt_door_event_matches(v_event, p_events) THEN
        RETURN QUERY SELECT * FROM @SCHEMA@.qrt_door_verdict(v_id, 'other_event', p_events);
        RETURN;
    END IF;
    IF NOT coalesce(p_admit_unpaid, false)
       AND lower(btrim(coalesce(v_payment, ''))) IN ('unpaid', 'partially_paid') THEN
        RETURN QUERY SELECT * FROM @SCHEMA@.qrt_door_verdict(v_id, 'unpaid', p_events);
        RETURN;
    END IF;
    RETURN QUERY SELECT * FROM @SCHEMA@.qrt_door_admit_id(v_id, p_station, p_events);
END
$$;

-- Admit the next live ticket of an order (a scanned order link or id). Outcomes as above, plus
-- no_live_tickets (every ticket of the order for these events is used or cancelled). A void order
-- answers refunded / order_cancelled with its first ticket (one of these events first), if any.
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_door_admit_order(p_order_id text, p_station text, p_events text[] DEFAULT NULL,
                                                p_admit_unpaid boolean DEFAULT true)
RETURNS TABLE (outcome text, ticket_id integer, order_id text, ticket_status text, used_by text,
               used_at timestamptz, admitted_in_order integer, total_in_order integer,
               contact_firstname text, contact_lastname text, payment_status text, event_id text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_id integer;
    v_payment text;
    v_attempt integer := 0;
    v_order_status text;
    v_void text;
BEGIN
    SELECT o.payment_status, o.order_status INTO v_payment, v_order_status
    FROM @SCHEMA@.ghl_qr_orders o WHERE o.order_id = p_order_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::integer, NULL::text, NULL::text, NULL::text, NULL::timestamptz,
                            0, 0, NULL::text, NULL::text, NULL::text, NULL::text;
        RETURN;
    END IF;
    v_void := @SCHEMA@.qrt_door_void(v_payment, v_order_status);
    IF v_void IS NOT NULL THEN
        SELECT t.ticket_id INTO v_id FROM @SCHEMA@.qrt_door_tickets t WHERE t.order_id = p_order_id
        ORDER BY NOT @SCHEMA@.qrt_door_event_matches(t.event_id, p_events), t.ticket_id LIMIT 1;
        IF v_id IS NULL THEN
            RETURN QUERY SELECT v_void, NULL::integer, p_order_id, NULL::text, NULL::text, NULL::timestamptz,
                                0, 0, NULL::text, NULL::text, v_payment, NULL::text;
        ELSE
            RETURN QUERY SELECT * FROM @SCHEMA@.qrt_door_verdict(v_id, v_void, p_events);
        END IF;
        RETURN;
    END IF;
    LOOP
        v_attempt := v_attempt + 1;
        SELECT t.ticket_id INTO v_id FROM @SCHEMA@.qrt_door_tickets t
        WHERE t.order_id = p_order_id AND t.status = 'live' AND @SCHEMA@.qrt_door_event_matches(t.event_id, p_events)
        ORDER BY t.ticket_id LIMIT 1;
        IF v_id IS NULL THEN
            SELECT t.ticket_id INTO v_id FROM @SCHEMA@.qrt_door_tickets t
            WHERE t.order_id = p_order_id AND @SCHEMA@.qrt_door_event_matches(t.event_id, p_events)
            ORDER BY (t.status = 'used') DESC, t.updated_at DESC LIMIT 1;
            IF v_id IS NULL THEN
                RETURN QUERY SELECT 'not_found'::text, NULL::integer, p_order_id, NULL::text, NULL::text,
                                    NULL::timestamptz, 0, 0, NULL::text, NULL::text, v_payment, NULL::text;
            ELSE
                RETURN QUERY SELECT * FROM @SCHEMA@.qrt_door_verdict(v_id, 'no_live_tickets', p_events);
            END IF;
            RETURN;
        END IF;
        IF NOT coalesce(p_admit_unpaid, false)
           AND lower(btrim(coalesce(v_payment, ''))) IN ('unpaid', 'partially_paid') THEN
            RETURN QUERY SELECT * FROM @SCHEMA@.qrt_door_verdict(v_id, 'unpaid', p_events);
            RETURN;
        END IF;
        -- Another station may take this ticket between the SELECT and the UPDATE: then the next one.
        RETURN QUERY SELECT * FROM @SCHEMA@.qrt_door_admit_id(v_id, p_station, p_events) AS a WHERE a.outcome = 'admitted';
        IF FOUND THEN
            RETURN;
        END IF;
        IF v_attempt >= 20 THEN
            RAISE EXCEPTION 'order % is being admitted at another station right now; try again', p_order_id
                USING ERRCODE = '40001';
        END IF;
    END LOOP;
END
$$;

-- Undo the caller's own admission (the same database user), within 10 minutes of it. Anything else
-- (another operator's admission, an older one) fails with SQLSTATE 42501; an admin undoes those.
-- The admission is the ticket's newest change of status (from_status <> to_status), which must be
-- live -> used by the caller: rows that change nothing (a conflict's used -> used, which a door
-- login writes itself with qrt_door_record_conflict) never count as an admission.
-- Answers 'undone', or 'not_used' when the ticket is not used (any more).
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_door_undo(p_ticket_id integer, p_station text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_status text;
    v_order text;
    v_operator text;
    v_at timestamptz;
    v_from text;
    v_to text;
BEGIN
    SELECT t.status, t.order_id INTO v_status, v_order FROM @SCHEMA@.ghl_qr_tickets t WHERE t.ticket_id = p_ticket_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'ticket % does not exist', p_ticket_id USING ERRCODE = 'P0002';
    END IF;
    IF v_status <> 'used' THEN
        RETURN 'not_used';
    END IF;
    SELECT e.operator, e.at, e.from_status, e.to_status INTO v_operator, v_at, v_from, v_to
    FROM @SCHEMA@.ticket_events e
    WHERE e.ticket_id = p_ticket_id AND e.from_status IS DISTINCT FROM e.to_status
    ORDER BY e.id DESC LIMIT 1;
    IF v_from IS DISTINCT FROM 'live' OR v_to IS DISTINCT FROM 'used' OR v_operator IS DISTINCT FROM session_user::text THEN
        RAISE EXCEPTION 'ticket % was not admitted by %: only an admin can undo it', p_ticket_id, session_user
            USING ERRCODE = '42501';
    END IF;
    IF v_at < now() - interval '10 minutes' THEN
        RAISE EXCEPTION 'ticket % was admitted more than 10 minutes ago: only an admin can undo it', p_ticket_id
            USING ERRCODE = '42501';
    END IF;
    UPDATE @SCHEMA@.ghl_qr_tickets SET status = 'live', updated_at = now(), updated_by = NULLIF(left(p_station, 200), '')
    WHERE ticket_id = p_ticket_id AND status = 'used';
    INSERT INTO @SCHEMA@.ticket_events (ticket_id, order_id, from_status, to_status, at, actor, reason, operator)
    VALUES (p_ticket_id, v_order, 'used', 'live', now(), NULLIF(left(p_station, 200), ''), 'undo at the door',
            session_user);
    RETURN 'undone';
END
$$;

-- Admit one ticket by id (the door station's own verdict path, src/door/doorcheck.cpp, decides; this
-- is its conditional UPDATE): the ticket's row when this call took it, no row when it was not live
-- (or its order is void).
-- The audit row names the station, the caller (session_user) as operator, and a reason a door may
-- give: "unpaid" (admitted anyway) or an offline admission uploaded ("offline at TIME[; unpaid]").
-- "unpaid" only for an order that is unpaid or partially paid (22023 otherwise); TIME (ISO 8601) not
-- older than 7 days (22023), and a TIME ahead of the database (a station whose clock runs fast) is
-- recorded as the database's now, "offline at NOW (station clock ahead)"; an offline "; unpaid" of
-- an order paid since is left out of the row (refusing it would stop the station's queue). The
-- station, as in qrt_door_record_conflict: at most 200 characters, no control characters (22023).
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_door_admit_ticket(p_ticket_id integer, p_station text, p_reason text DEFAULT NULL)
RETURNS TABLE (ticket_id integer, order_id text, ticket_type text, product_id text, status text, code text,
               created_at timestamptz, updated_at timestamptz, updated_by text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_station text := NULLIF(left(p_station, 200), '');
    v_order text;
    v_reason text := p_reason;
    v_offline timestamptz;
    v_unpaid boolean;
BEGIN
    IF p_station ~ '[[:cntrl:]]' OR pg_catalog.length(p_station) > 200 THEN
        RAISE EXCEPTION 'a station name has at most 200 characters and no control characters, not %',
            pg_catalog.quote_literal(left(p_station, 60)) USING ERRCODE = '22023';
    END IF;
    IF p_reason IS NOT NULL
       AND p_reason !~ '^(unpaid|offline at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})(; unpaid)?)$' THEN
        RAISE EXCEPTION 'a door station may record the reason "unpaid" or "offline at TIME", not %', pg_catalog.quote_literal(left(p_reason, 60))
            USING ERRCODE = '22023';
    END IF;
    IF p_reason LIKE 'offline at %' THEN
        BEGIN
            v_offline := pg_catalog.split_part(pg_catalog.substr(p_reason, 12), ';', 1)::timestamptz;
        EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'not a time: %', pg_catalog.quote_literal(left(p_reason, 60)) USING ERRCODE = '22023';
        END;
        IF v_offline < now() - interval '7 days' THEN
            RAISE EXCEPTION 'an offline admission is uploaded within 7 days, not at %', v_offline USING ERRCODE = '22023';
        END IF;
        -- A station whose clock runs ahead: the database's time, never one the caller chose.
        IF v_offline > now() THEN
            v_reason := 'offline at ' || pg_catalog.to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                        || ' (station clock ahead)' || CASE WHEN p_reason LIKE '%; unpaid' THEN '; unpaid' ELSE '' END;
        END IF;
    END IF;
    IF p_reason LIKE '%unpaid' THEN
        SELECT pg_catalog.lower(pg_catalog.btrim(coalesce(o.payment_status, ''))) IN ('unpaid', 'partially_paid') INTO v_unpaid
        FROM @SCHEMA@.ghl_qr_tickets t JOIN @SCHEMA@.ghl_qr_orders o ON o.order_id = t.order_id WHERE t.ticket_id = p_ticket_id;
        IF NOT coalesce(v_unpaid, true) AND p_reason = 'unpaid' THEN
            RAISE EXCEPTION 'ticket %''s order is paid: the reason "unpaid" does not apply', p_ticket_id USING ERRCODE = '22023';
        ELSIF NOT coalesce(v_unpaid, true) THEN
            v_reason := pg_catalog.split_part(v_reason, ';', 1);
        END IF;
    END IF;
    -- Never a ticket of a void order (refunded, cancelled), as the other door functions.
    UPDATE @SCHEMA@.ghl_qr_tickets t SET status = 'used', updated_at = now(), updated_by = v_station
    FROM @SCHEMA@.ghl_qr_orders o
    WHERE t.ticket_id = p_ticket_id AND t.status = 'live' AND o.order_id = t.order_id
      AND @SCHEMA@.qrt_door_void(o.payment_status, o.order_status) IS NULL
    RETURNING t.order_id INTO v_order;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO @SCHEMA@.ticket_events (ticket_id, order_id, from_status, to_status, at, actor, reason, operator)
    VALUES (p_ticket_id, v_order, 'live', 'used', now(), v_station, v_reason, session_user);
    RETURN QUERY SELECT t.ticket_id, t.order_id, t.ticket_type, t.product_id, t.status, t.code, t.created_at, t.updated_at,
                        t.updated_by
                 FROM @SCHEMA@.ghl_qr_tickets t WHERE t.ticket_id = p_ticket_id;
END
$$;

-- An admission a door station made offline lost on upload (the ticket was used or cancelled on the
-- shared database meanwhile): one ticket_events row saying so, written once (the same reason text as
-- src/door/doorstation.cpp's conflictReason), with the caller as operator. Answers the reason, or NULL
-- when there is no conflict to record (the ticket is live, or does not exist).
-- A ticket that is not used of an order void now (refunded or cancelled while the station was offline)
-- is a conflict too: "...; the order was refunded since" (or "cancelled since").
-- A door login cannot fill the audit trail with rows of its own wording: at most one conflict row per
-- ticket and login, p_admitted_at not older than 7 days (a time ahead of the database, a station
-- whose clock runs fast, is recorded as the database's now "(station clock ahead)"), and a station of
-- at most 200 characters without control characters (22023).
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_door_record_conflict(p_ticket_id integer, p_station text, p_admitted_at timestamptz)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_status text;
    v_order text;
    v_by text;
    v_at timestamptz;
    v_reason text;
    v_void text;
    v_when text;
BEGIN
    IF p_station ~ '[[:cntrl:]]' OR pg_catalog.length(p_station) > 200 THEN
        RAISE EXCEPTION 'a station name has at most 200 characters and no control characters, not %',
            pg_catalog.quote_literal(left(p_station, 60)) USING ERRCODE = '22023';
    END IF;
    IF p_admitted_at < now() - interval '7 days' THEN
        RAISE EXCEPTION 'an offline admission is recorded within 7 days, not at %', p_admitted_at USING ERRCODE = '22023';
    END IF;
    -- A station whose clock runs ahead: the database's time, never one the caller chose.
    v_when := CASE WHEN p_admitted_at > now()
                   THEN pg_catalog.to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' (station clock ahead)'
                   ELSE coalesce(pg_catalog.to_char(p_admitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                 'an unknown time') END;
    SELECT t.status, t.order_id, CASE WHEN t.status = 'used' THEN t.updated_by END,
           CASE WHEN t.status = 'used' THEN t.updated_at END, @SCHEMA@.qrt_door_void(o.payment_status, o.order_status)
    INTO v_status, v_order, v_by, v_at, v_void
    FROM @SCHEMA@.ghl_qr_tickets t LEFT JOIN @SCHEMA@.ghl_qr_orders o ON o.order_id = t.order_id
    WHERE t.ticket_id = p_ticket_id;
    IF NOT FOUND OR (v_status = 'live' AND v_void IS NULL) THEN
        RETURN NULL;
    END IF;
    IF v_status <> 'used' AND v_void IS NOT NULL THEN
        v_reason := pg_catalog.format('offline-conflict: admitted offline by %s at %s; the order was %s since',
                                      coalesce(p_station, ''), v_when,
                                      CASE v_void WHEN 'refunded' THEN 'refunded' ELSE 'cancelled' END);
    ELSE
        v_reason := pg_catalog.format('offline-conflict: admitted offline by %s at %s; already admitted by %s at %s',
                                      coalesce(p_station, ''), v_when,
                                      coalesce(NULLIF(v_by, ''), 'an unknown station'),
                                      coalesce(pg_catalog.to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                               'an unknown time'));
    END IF;
    INSERT INTO @SCHEMA@.ticket_events (ticket_id, order_id, from_status, to_status, at, actor, reason, operator)
    SELECT p_ticket_id, v_order, v_status, v_status, now(), NULLIF(p_station, ''), v_reason, session_user
    WHERE NOT EXISTS (SELECT 1 FROM @SCHEMA@.ticket_events e WHERE e.ticket_id = p_ticket_id
                      AND (e.reason = v_reason
                           OR (e.operator = session_user::text AND e.reason LIKE 'offline-conflict:%')));
    RETURN v_reason;
END
$$;

-- The door cache of the offline mode: what a scan needs, for the station's events (NULL: all).
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_door_cache(p_events text[] DEFAULT NULL)
RETURNS SETOF @SCHEMA@.qrt_door_tickets
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
SELECT * FROM @SCHEMA@.qrt_door_tickets t WHERE @SCHEMA@.qrt_door_event_matches(t.event_id, p_events) ORDER BY t.ticket_id
$$;

-- The grants, in one function so that later migrations keep them current (they call it when it
-- exists and the migrating user may execute it). Run by the owner of the tables; EXECUTE for nobody
-- else. Like every function here it names everything with its schema under a search_path of
-- pg_catalog alone: whoever may CREATE in the schema cannot put a function, operator or table of
-- theirs in front of the real one (and this function takes CREATE from PUBLIC anyway).
CREATE OR REPLACE FUNCTION @SCHEMA@.qrt_grant_roles()
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_schema regnamespace := @SCHEMA_LITERAL@::regnamespace;
    v_table text;
    v_rel regclass;
    v_seq regclass;
    v_fn regprocedure;
    v_grantee text;
BEGIN
    -- Nobody but its owner creates objects in the schema (PostgreSQL 14 and older let PUBLIC create in
    -- public). Only the schema's owner can take that right: anyone else gets a warning here.
    EXECUTE pg_catalog.format('REVOKE CREATE ON SCHEMA %s FROM PUBLIC', v_schema);
    IF pg_catalog.has_schema_privilege('public', v_schema::oid, 'CREATE') THEN
        RAISE WARNING 'PUBLIC may still create objects in schema %: run REVOKE CREATE ON SCHEMA % FROM PUBLIC as its owner',
            v_schema, v_schema;
    END IF;
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %s TO qrtickets_admin, qrtickets_door', v_schema);
    -- The migrations' trigger functions name their tables without a schema, and a trigger runs with the
    -- search_path of the statement that fired it: inside a door function that is pg_catalog alone. Pin
    -- theirs to pg_catalog first, then the tables' schema (which PUBLIC may no longer create in). Here,
    -- not in a migration, so that a later migration replacing one is pinned again when it calls this.
    FOR v_fn IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
                WHERE p.pronamespace = v_schema AND p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype
                  AND p.proname IN ('qrt_ticket_counts', 'qrt_notify_change', 'qrt_orders_search_fold') LOOP
        IF pg_catalog.pg_has_role(current_user, (SELECT p.proowner FROM pg_catalog.pg_proc p WHERE p.oid = v_fn), 'USAGE') THEN
            EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, %s, pg_temp', v_fn, v_schema);
        ELSE
            RAISE WARNING 'cannot pin the search_path of %: run `qrtickets roles install` as its owner', v_fn;
        END IF;
    END LOOP;
    FOREACH v_table IN ARRAY ARRAY['ghl_qr_orders', 'ghl_qr_tickets', 'ghl_qr_fields', 'ghl_qr_users', 'ticket_events',
                                   'webhook_inbox', 'sync_runs', 'qr_outbox', 'reconcile_lease', 'door_queue', 'door_cache_meta',
                                   'schema_migrations'] LOOP
        v_rel := pg_catalog.to_regclass(pg_catalog.format('%s.%I', v_schema, v_table));
        IF v_rel IS NULL THEN
            CONTINUE;
        END IF;
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON %s TO qrtickets_admin',
                                  v_rel);
        EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC, qrtickets_door', v_rel);
        -- Supabase's API roles: its default privileges give anon and authenticated everything on every
        -- new table in public, i.e. to anyone holding the project's public anon key.
        FOR v_grantee IN SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname IN ('anon', 'authenticated') LOOP
            EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM %I', v_rel, v_grantee);
        END LOOP;
        FOR v_seq IN SELECT d.objid::regclass FROM pg_catalog.pg_depend d
                     JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                     WHERE d.refobjid = v_rel AND d.classid = 'pg_catalog.pg_class'::regclass
                       AND d.deptype IN ('a', 'i') LOOP
            EXECUTE pg_catalog.format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE %s TO qrtickets_admin', v_seq);
            EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM PUBLIC', v_seq);
            FOR v_grantee IN SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname IN ('anon', 'authenticated') LOOP
                EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM %I', v_seq, v_grantee);
            END LOOP;
        END LOOP;
    END LOOP;
    -- The schema version: every station checks it before it starts.
    EXECUTE 'GRANT SELECT ON @SCHEMA@.schema_migrations TO qrtickets_door';
    -- The qrt_door_* views read with the owner's rights: SELECT for the two groups and nobody else
    -- holds any right on them (Supabase's default privileges would give anon ALL, and UPDATE/DELETE
    -- through the one-table events view would rewrite the audit trail).
    FOR v_rel IN SELECT c.oid::regclass FROM pg_catalog.pg_class c
                 WHERE c.relnamespace = v_schema AND c.relkind = 'v' AND c.relname LIKE 'qrt\_door\_%' LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', v_rel);
        FOR v_grantee IN SELECT DISTINCT r.rolname FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
                         JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
                         WHERE c.oid = v_rel AND a.grantee <> c.relowner
                           AND r.rolname NOT IN ('qrtickets_admin', 'qrtickets_door') LOOP
            EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM %I', v_rel, v_grantee);
        END LOOP;
        EXECUTE pg_catalog.format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON %s '
                                  'FROM qrtickets_admin, qrtickets_door', v_rel);
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO qrtickets_admin, qrtickets_door', v_rel);
    END LOOP;
    -- Functions: nobody but the owner and the groups named here (on Supabase, default privileges
    -- also grant EXECUTE to anon and authenticated: those grants go too).
    FOR v_fn IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
                WHERE p.pronamespace = v_schema
                  AND (p.proname LIKE 'qrt\_door\_%' OR p.proname = 'qrt_grant_roles') LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_fn);
        FOR v_grantee IN SELECT DISTINCT r.rolname FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
                         JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
                         WHERE p.oid = v_fn AND a.grantee <> p.proowner
                           AND r.rolname NOT IN ('qrtickets_admin', 'qrtickets_door') LOOP
            EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM %I', v_fn, v_grantee);
        END LOOP;
    END LOOP;
    EXECUTE 'GRANT EXECUTE ON FUNCTION @SCHEMA@.qrt_door_admit_code(text, text, text[], boolean), '
            '@SCHEMA@.qrt_door_admit_order(text, text, text[], boolean), @SCHEMA@.qrt_door_undo(integer, text), '
            '@SCHEMA@.qrt_door_cache(text[]), @SCHEMA@.qrt_door_admit_ticket(integer, text, text), '
            '@SCHEMA@.qrt_door_record_conflict(integer, text, timestamptz) TO qrtickets_admin, qrtickets_door';
END
$$;

SELECT @SCHEMA@.qrt_grant_roles();
