import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// crmsync installed the way managed platforms allow it: `migrate` as an admin role that is not
/// a superuser, in clusters bootstrapped like Supabase (Tests/platforms/supabase.sql) and like
/// Amazon RDS (rds.sql). Each shape is its own throwaway cluster (scripts/platform-db.sh), since
/// the superuser's name and the roles are cluster-wide.
@Suite("Managed platforms (Supabase, RDS shapes)", .serialized)
struct ManagedPlatformTests {
    @Test("migrate as the platform's admin: no warning, owner without BYPASSRLS, auth.uid() left as Supabase made it",
          arguments: [PlatformShape.supabase, .rds])
    func migrateAsPlatformAdmin(shape: PlatformShape) async throws {
        try await shape.withDatabase("mig") { database, superuser in
            let admin = try await database.adminConnection()
            let roles = try await admin.query(
                """
                select r.rolsuper, r.rolbypassrls, pg_has_role(current_user, 'crmsync_owner', 'member'),
                       (select rolsuper from pg_roles where rolname = current_user)
                  from pg_roles r where r.rolname = 'crmsync_owner'
                """)
            #expect(try roles.first?.decode(Bool.self, at: 0) == false)
            #expect(try roles.first?.decode(Bool.self, at: 1) == false)
            #expect(try roles.first?.decode(Bool.self, at: 2) == true)
            #expect(try roles.first?.decode(Bool.self, at: 3) == false, "migrate must have run as a non-superuser")
            // A second run finds nothing to do.
            let again = try await Migrator(files: try MigrationFile.load(root: database.root)).apply(on: admin)
            #expect(again.applied.isEmpty)
            let audit = try await PolicyAudit.run(try PolicyAudit.load(root: database.root), on: admin)
            #expect(audit.problems.map { "\($0.tableName ?? "-") \($0.name ?? "-"): \($0.problem ?? "")" } == [])
            #expect(audit.findings.filter { $0.item == "table" }.count >= 14)
            if shape == .supabase {
                let auth = try await superuser.query(
                    """
                    select obj_description('auth'::regnamespace, 'pg_namespace'), pg_get_userbyid(p.proowner),
                           obj_description(p.oid, 'pg_proc'), pg_get_userbyid(n.nspowner)
                      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                     where n.nspname = 'auth' and p.proname = 'uid'
                    """)
                #expect(try auth.first?.decode(String.self, at: 0) == "Supabase auth schema")
                #expect(try auth.first?.decode(String.self, at: 1) == "supabase_auth_admin")
                #expect(try auth.first?.decode(String.self, at: 2) == "Deprecated. Use auth.jwt() -> 'sub' instead.")
                #expect(try auth.first?.decode(String.self, at: 3) == "supabase_admin")
            }
        }
    }

    @Test("tenancy on the platform: isolation, worker's definer functions through the owner's policies",
          arguments: [PlatformShape.supabase, .rds])
    func tenancySubset(shape: PlatformShape) async throws {
        try await shape.withDatabase("ten") { database, _ in
            let tenant = database.tenant()
            for person in [Demo.aliceAtAcme, Demo.ginaAtGlobex] {
                let orgs = try await tenant.withSession(person) { connection in
                    try await connection.query("select distinct organization_id from public.appointments").rows
                        .map { try $0.decode(UUID.self, at: 0) }
                }
                #expect(orgs == [person.organizationID])
            }
            // Gina (Globex) cannot change Acme's rows, even naming them.
            let changed = try await tenant.withSession(Demo.ginaAtGlobex) { connection in
                try await connection.query(
                    "update public.appointments set title = 'x' where organization_id = \(Demo.acme)").affectedRows
            }
            #expect(changed == 0)
            // A security definer function (runs as crmsync_owner, not BYPASSRLS) reads tokens of
            // the caller's own account and refuses another tenant's.
            let own = try await tenant.withSession(Demo.aliceAtAcme, role: .worker, secrets: true) { connection in
                try await connection.query("select count(*) from public.calendar_account_tokens(\(Demo.aliceCalendar))")
                    .first?.decode(Int.self, at: 0)
            }
            #expect(own == 1)
            await #expect(throws: PostgresError.self) {
                try await tenant.withSession(Demo.aliceAtAcme, role: .worker, secrets: true) { connection in
                    try await connection.query("select * from public.calendar_account_tokens(\(Demo.ginaCalendar))")
                }
            }
            let none = try await tenant.withSession(nil) { connection in
                try await connection.query("select (select count(*) from public.appointments) + (select count(*) from public.organizations)")
                    .first?.decode(Int.self, at: 0)
            }
            #expect(none == 0)
        }
    }

    @Test("anon, service_role and authenticated without identity reach no table, view or function")
    func probeSupabaseRoles() async throws {
        try await PlatformShape.supabase.withDatabase("probe") { database, superuser in
            let relations = try await superuser.query(
                """
                select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where c.relowner = 'crmsync_owner'::regrole and c.relkind in ('r', 'v') and n.nspname in ('public', 'private')
                 order by 1
                """).rows.map { try $0.decode(String.self, at: 0) }
            #expect(relations.count >= 18)
            let functions = try await superuser.query(
                """
                select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where p.proowner = 'crmsync_owner'::regrole and n.nspname in ('public', 'private', 'auth') order by 1
                """).rows.map { try $0.decode(String.self, at: 0) }
            #expect(functions.count >= 50)
            for role in ["anon", "service_role"] {
                for relation in relations {
                    let rights = try await superuser.query(
                        """
                        select has_table_privilege(\(role)::name, \(relation)::text, 'select, insert, update, delete, truncate, references, trigger')
                        """).first?.decode(Bool.self, at: 0)
                    #expect(rights == false, "\(role) has a right on \(relation)")
                }
                for function in functions {
                    let execute = try await superuser.query("select has_function_privilege(\(role)::name, \(function)::text, 'execute')")
                        .first?.decode(Bool.self, at: 0)
                    #expect(execute == false, "\(role) may execute \(function)")
                }
                // And trying for real, as PostgREST would switch to it.
                let connection = try await PostgresConnection.connect(database.admin)
                try await connection.execute("begin; set local role \(role)")
                await #expect(throws: PostgresError.self) { try await connection.execute("select * from public.appointments") }
                try await connection.execute("rollback")
            }
            // authenticated with no identity: every relation it can read shows no row.
            let tenant = database.tenant()
            for relation in relations {
                let visible = try await tenant.withSession(nil) { connection -> Int? in
                    guard try await connection.query("select has_table_privilege(\(relation)::text, 'select')")
                        .first?.decode(Bool.self, at: 0) == true else { return nil }
                    return try await connection.query("select count(*) from \(unescaped: relation)").first?.decode(Int.self, at: 0)
                }
                #expect(visible == nil || visible == 0, "authenticated without identity sees \(visible ?? 0) rows of \(relation)")
            }
            // Every function it may execute, called with nulls, yields no row and no non-null value.
            let callable = try await tenant.withSession(nil) { connection in
                try await connection.query(
                    """
                    select p.oid::regproc::text, p.pronargs, p.proretset from pg_proc p
                     where p.proowner = 'crmsync_owner'::regrole and p.prorettype <> 'trigger'::regtype
                       and has_function_privilege(p.oid, 'execute') order by 1
                    """).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1)) }
            }
            #expect(!callable.isEmpty)
            for (function, arguments) in callable {
                let nulls = Array(repeating: "null", count: arguments).joined(separator: ", ")
                let leaked: String? = try? await tenant.withSession(nil) { connection in
                    try await connection.query(
                        """
                        select string_agg(to_jsonb(r)::text, ' ') from \(unescaped: function)(\(unescaped: nulls)) r
                         where exists (select from jsonb_each(case jsonb_typeof(to_jsonb(r)) when 'object' then to_jsonb(r)
                                                                   else jsonb_build_object('value', to_jsonb(r)) end) e
                                        where e.value not in ('null', 'false', '0', '[]', '{}', '""'))
                        """)
                        .first?.decode(String?.self, at: 0)
                }
                #expect(leaked == nil, "\(function) returned \(leaked ?? "") to authenticated without identity")
            }
        }
    }

    @Test("the audit ignores another application's table and still flags a crmsync table without forced RLS")
    func auditScope() async throws {
        try await PlatformShape.supabase.withDatabase("audit") { database, _ in
            let admin = try await database.adminConnection()
            // An application table in public, created by postgres: Supabase's default privileges
            // grant it to anon, authenticated and service_role.
            try await admin.execute("create table public.profiles (id uuid primary key, name text)")
            let query = try PolicyAudit.load(root: database.root)
            #expect(try await PolicyAudit.run(query, on: admin).problems.isEmpty)
            try await admin.execute(
                """
                begin; set local role crmsync_owner;
                create table public.crmsync_extra (organization_id uuid not null primary key);
                create policy appointments_crmsync_worker_all on public.appointments for all to crmsync_worker using (true);
                commit
                """)
            let problems = try await PolicyAudit.run(query, on: admin).problems
            #expect(problems.contains { $0.tableName == "crmsync_extra" && $0.problem?.contains("not enabled and forced") == true })
            #expect(problems.contains { $0.name == "appointments_crmsync_worker_all" && $0.problem?.contains("does not constrain") == true })
            #expect(!problems.contains { $0.tableName == "profiles" })
            #expect(!problems.contains { $0.name?.hasSuffix("_crmsync_owner_all") == true })
        }
    }

    @Test("a file that makes the server warn is rolled back: no silent 'no privileges were granted'")
    func warningIsRefused() async throws {
        try await PlatformShape.supabase.withDatabase("warn") { database, _ in
            let admin = try await database.adminConnection()
            let file = MigrationFile(
                name: "sql/migrations/997_grant_without_option.sql",
                contents: "create table public.warn_probe (id int); grant select on table auth.users to crmsync_worker;")
            do {
                _ = try await Migrator(files: [file]).apply(on: admin)
                Issue.record("a file with a warning was recorded as applied")
            } catch let error as MigrationError {
                #expect("\(error)".contains("no privileges were granted"))
            }
            let rows = try await admin.query("select to_regclass('public.warn_probe') is null")
            #expect(try rows.first?.decode(Bool.self, at: 0) == true)
        }
    }

    @Test("where the admin cannot grant USAGE on Supabase's auth schema, migrate stops naming it")
    func missingGrantOptionIsNamed() async throws {
        try await PlatformShape.supabase.withDatabase("nogrant", migrate: false) { database, superuser in
            try await superuser.execute(
                "revoke grant option for all on schema auth from postgres; revoke usage on schema auth from crmsync_worker, crmsync_owner")
            let admin = try await database.adminConnection()
            do {
                _ = try await Migrator(files: try MigrationFile.load(root: database.root)).apply(on: admin)
                Issue.record("migrate succeeded without USAGE on schema auth for crmsync's roles")
            } catch let error as MigrationError {
                #expect("\(error)".contains("lacks USAGE on schema auth"))
                #expect("\(error)".contains("grant USAGE on schema auth to"))
            }
        }
    }

    @Test("existing compatible CRM tables are adopted with their rows; an incompatible one is refused, untouched")
    func existingCRMTables() async throws {
        try await PlatformShape.supabase.withDatabase("adopt", migrate: false) { database, _ in
            let admin = try await database.adminConnection()
            try await admin.execute(
                """
                create table public.organizations (id uuid primary key, name text not null, plan text);
                create table public.user_organizations (organization_id uuid not null references public.organizations,
                  user_id uuid not null, role text not null, created_at timestamptz not null default now(),
                  updated_at timestamptz not null default now(), primary key (organization_id, user_id));
                create table public.appointments (id uuid not null, organization_id uuid not null, owner_id uuid not null,
                  title text not null, start_time timestamptz not null, end_time timestamptz not null,
                  source text not null default 'crm', primary key (organization_id, id));
                insert into public.organizations values ('\(Demo.acme)', 'Acme', 'pro');
                insert into public.user_organizations (organization_id, user_id, role) values ('\(Demo.acme)', '\(Demo.alice)', 'owner');
                insert into public.appointments values ('\(UUID())', '\(Demo.acme)', '\(Demo.alice)', 'Kept', now(), now() + interval '1 hour');
                """)
            try await database.migrate()
            let state = try await admin.query(
                """
                select pg_get_userbyid(c.relowner), c.relforcerowsecurity,
                       (select count(*) from public.appointments where title = 'Kept' and location is null and crm_version = 1),
                       (select plan from public.organizations)
                  from pg_class c where c.oid = 'public.appointments'::regclass
                """)
            #expect(try state.first?.decode(String.self, at: 0) == "crmsync_owner")
            #expect(try state.first?.decode(Bool.self, at: 1) == true)
            #expect(try state.first?.decode(Int.self, at: 2) == 1)
            #expect(try state.first?.decode(String.self, at: 3) == "pro")
            let seen = try await database.tenant().withSession(Demo.aliceAtAcme) { connection in
                try await connection.query("select title from public.appointments").rows.map { try $0.decode(String.self, at: 0) }
            }
            #expect(seen == ["Kept"])
        }
        try await PlatformShape.supabase.withDatabase("refuse", migrate: false) { database, _ in
            let admin = try await database.adminConnection()
            try await admin.execute(
                """
                create table public.appointments (id uuid primary key, organization_id text not null, owner_id uuid not null,
                  title text not null, start_time timestamptz not null, priority int not null);
                insert into public.appointments values ('\(UUID())', 'acme', '\(Demo.alice)', 'Kept', now(), 1);
                """)
            do {
                try await database.migrate()
                Issue.record("an incompatible appointments table was accepted")
            } catch let error as MigrationError {
                let text = "\(error)"
                #expect(!text.contains("\n"))
                for part in ["public.appointments exists and is not compatible", "organization_id is text (crmsync needs uuid)",
                             "end_time missing", "priority is not null without a default", "primary key is (id)"] {
                    #expect(text.contains(part), "missing \(part) in: \(text)")
                }
            }
            let state = try await admin.query(
                """
                select pg_get_userbyid(relowner), relrowsecurity, (select count(*) from public.appointments),
                       to_regclass('public.organizations') is null
                  from pg_class where oid = 'public.appointments'::regclass
                """)
            #expect(try state.first?.decode(String.self, at: 0) == "postgres")
            #expect(try state.first?.decode(Bool.self, at: 1) == false)
            #expect(try state.first?.decode(Int.self, at: 2) == 1)
            #expect(try state.first?.decode(Bool.self, at: 3) == true)
        }
    }
}

/// A cluster shaped like a managed platform, started by `make test` (scripts/test.sh runs
/// scripts/platform-db.sh before the tests, as it starts the main cluster for DATABASE_URL).
enum PlatformShape: String, Sendable, CustomStringConvertible {
    case supabase
    case rds

    var description: String { self.rawValue }

    struct Cluster: Sendable {
        var superuser: PostgresConfiguration
        var admin: PostgresConfiguration
    }

    /// This shape's cluster, from `PLATFORM_<SHAPE>_SUPERUSER_URL` and `PLATFORM_<SHAPE>_ADMIN_URL`.
    func cluster() throws -> Cluster {
        let environment = ProcessInfo.processInfo.environment
        let prefix = "PLATFORM_\(self.rawValue.uppercased())_"
        guard let superuser = environment[prefix + "SUPERUSER_URL"], !superuser.isEmpty,
              let admin = environment[prefix + "ADMIN_URL"], !admin.isEmpty
        else {
            throw TestSetupError("\(prefix)SUPERUSER_URL and \(prefix)ADMIN_URL are not set: run the tests with `make test`")
        }
        return Cluster(superuser: PostgresConfiguration(connectionString: superuser), admin: PostgresConfiguration(connectionString: admin))
    }

    /// A scratch database created by the platform's admin (not a superuser), migrated by it
    /// and seeded with the demo data unless `migrate` is false. `body` also gets a connection
    /// of the platform's own superuser, for what only the platform could do or see.
    func withDatabase(
        _ label: String, migrate: Bool = true, _ body: (TestDatabase, PostgresConnection) async throws -> Void
    ) async throws {
        let cluster = try self.cluster()
        let name = "crmsync_p_\(self.rawValue)_\(label)_\(UInt32.random(in: 0...UInt32.max))"
        let server = try await PostgresConnection.connect(cluster.admin)
        try await server.execute("create database \(name)")
        // Dropping with (force) ends the sessions still open (the service's pool, the
        // superuser's); only the platform's superuser may end those of other roles.
        let dropper = try await PostgresConnection.connect(cluster.superuser)
        var admin = cluster.admin
        admin.overrides["dbname"] = name
        var superuser = cluster.superuser
        superuser.overrides["dbname"] = name
        let database = TestDatabase(
            name: name, admin: admin, app: admin.loggingIn(as: DatabaseSettings.appRole, password: nil),
            key: try SecretKey("test-key-\(UUID().uuidString)-\(UUID().uuidString)"), root: TestDatabase.projectRoot)
        do {
            if migrate {
                let connection = try await database.adminConnection()
                _ = try await Migrator(files: try MigrationFile.load(root: database.root)).apply(on: connection)
                try await database.seedDemo()
            }
            try await body(database, try await PostgresConnection.connect(superuser))
            try await dropper.execute("drop database \(name) with (force)")
        } catch {
            _ = try? await dropper.execute("drop database \(name) with (force)")
            throw error
        }
    }
}
