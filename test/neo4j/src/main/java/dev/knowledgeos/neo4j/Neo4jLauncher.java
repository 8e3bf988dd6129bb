package dev.knowledgeos.neo4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Test-only launcher: an embedded Neo4j Community DBMS whose only network endpoint is
 * a Bolt connector on loopback.
 *
 * <p>Prints exactly one line {@code NEO4J_READY bolt://HOST:PORT} on stdout once a Bolt
 * handshake against the connector succeeds, then runs until SIGTERM/SIGINT. Everything
 * else (progress, Neo4j's user log) goes to stderr. Exit codes: 0 normal shutdown,
 * 2 usage error, 3 port already in use, 4 failed to start / not ready in time.
 */
public final class Neo4jLauncher {

    private static final String USAGE = String.join("\n",
            "Usage: java <jvm flags> -cp 'target/classes:target/lib/*' dev.knowledgeos.neo4j.Neo4jLauncher [options]",
            "",
            "Options (environment variable in brackets; flags win over env):",
            "  --data-dir DIR       DBMS home: databases, tx logs, logs/debug.log   [NEO4J_DATA_DIR]",
            "                       default: ./.services/neo4j",
            "  --host HOST          Bolt listen host                                [NEO4J_BOLT_HOST] default 127.0.0.1",
            "  --port PORT          Bolt listen port                                [NEO4J_BOLT_PORT] default 7687",
            "  --password PW        enable auth; user 'neo4j' gets password PW      [NEO4J_PASSWORD]",
            "                       NEO4J_AUTH=none (default) or NEO4J_AUTH=neo4j/PW (docker style) also work",
            "  --no-auth            force auth off (overrides NEO4J_AUTH/NEO4J_PASSWORD)",
            "  --pagecache SIZE     page cache size, e.g. 64m                       [NEO4J_PAGECACHE] default 64m",
            "  --pid-file FILE      write the JVM's PID to FILE (removed on shutdown) [NEO4J_PID_FILE]",
            "  --clean              delete the data dir before starting (fresh, empty DBMS)",
            "  --ready-timeout SEC  give up if Bolt does not answer within SEC s (default 120)",
            "  -h, --help           this text");

    private Neo4jLauncher() {}

    public static void main(String[] argv) {
        // Keep stdout clean for the READY line; everything else goes to stderr.
        PrintStream out = System.out;
        PrintStream err = System.err;
        Options o;
        try {
            o = Options.parse(argv);
        } catch (IllegalArgumentException e) {
            err.println("neo4j-launcher: " + e.getMessage());
            err.println(USAGE);
            System.exit(2);
            return;
        }
        if (o.help) {
            out.println(USAGE);
            return;
        }

        long t0 = System.nanoTime();
        if (!portFree(o.host, o.port)) {
            err.println("neo4j-launcher: ERROR port " + o.host + ":" + o.port
                    + " is already in use (another Neo4j? use --port / NEO4J_BOLT_PORT)");
            System.exit(3);
        }

        Path home = o.dataDir.toAbsolutePath().normalize();
        try {
            if (o.clean) deleteTree(home);
            Files.createDirectories(home);
        } catch (IOException e) {
            err.println("neo4j-launcher: ERROR cannot prepare data dir " + home + ": " + e);
            System.exit(4);
        }

        Map<org.neo4j.graphdb.config.Setting<?>, Object> cfg = new HashMap<>();
        // Network: Bolt on loopback only, nothing else listening.
        cfg.put(GraphDatabaseSettings.default_listen_address, new SocketAddress(o.host));
        cfg.put(GraphDatabaseSettings.default_advertised_address, new SocketAddress(o.host));
        cfg.put(BoltConnector.enabled, true);
        cfg.put(BoltConnector.listen_address, new SocketAddress(o.host, o.port));
        cfg.put(BoltConnector.advertised_address, new SocketAddress(o.host, o.port));
        cfg.put(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED);
        cfg.put(BoltConnector.server_bolt_telemetry_enabled, false);
        cfg.put(HttpConnector.enabled, false);
        cfg.put(HttpsConnector.enabled, false);
        cfg.put(GraphDatabaseSettings.routing_enabled, false); // no server-side routing connector (:7688)
        // Auth.
        cfg.put(GraphDatabaseSettings.auth_enabled, o.password != null);
        cfg.put(GraphDatabaseSettings.auth_minimum_password_length, 1);
        // Small and fast.
        cfg.put(GraphDatabaseSettings.pagecache_memory, o.pagecacheBytes);
        cfg.put(GraphDatabaseSettings.pagecache_warmup_enabled, false);
        cfg.put(GraphDatabaseSettings.preallocate_logical_logs, false);
        cfg.put(GraphDatabaseSettings.preallocate_store_files, false);
        cfg.put(GraphDatabaseSettings.logical_log_rotation_threshold, 32L * 1024 * 1024);
        cfg.put(GraphDatabaseSettings.keep_logical_logs, "false");
        cfg.put(GraphDatabaseSettings.udc_enabled, false);
        cfg.put(GraphDatabaseSettings.log_queries, GraphDatabaseSettings.LogQueryLevel.OFF);
        cfg.put(GraphDatabaseSettings.track_query_cpu_time, false);
        cfg.put(BoltConnector.thread_pool_min_size, 1);
        // Fast stop: Netty's default graceful shutdown (quiet period + timeout) adds ~5-10 s.
        cfg.put(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
        cfg.put(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2));

        err.println("neo4j-launcher: starting Neo4j (home " + home + ", bolt " + o.host + ":" + o.port
                + ", auth " + (o.password != null ? "on" : "off") + ")");

        Log4jLogProvider userLog = new Log4jLogProvider(err, Level.INFO);
        DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(home)
                    .setConfig(cfg)
                    .setUserLogProvider(userLog)
                    .build();
        } catch (RuntimeException e) {
            err.println("neo4j-launcher: ERROR Neo4j failed to start: " + e);
            e.printStackTrace(err);
            System.exit(4);
            return;
        }

        AtomicBoolean stopped = new AtomicBoolean(false);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stopped.compareAndSet(false, true)) {
                err.println("neo4j-launcher: shutting down");
                try {
                    dbms.shutdown();
                } catch (RuntimeException e) {
                    err.println("neo4j-launcher: shutdown error: " + e);
                } finally {
                    if (o.pidFile != null) {
                        try {
                            Files.deleteIfExists(o.pidFile);
                        } catch (IOException ignored) {
                            // best effort
                        }
                    }
                    err.println("neo4j-launcher: stopped");
                    err.flush();
                    done.countDown();
                }
            }
        }, "neo4j-launcher-shutdown"));

        try {
            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(o.readyTimeout.toMillis())) {
                throw new IllegalStateException("database 'neo4j' not available after " + o.readyTimeout);
            }
            err.println("neo4j-launcher: DBMS started in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            if (o.password != null) {
                long tp = System.nanoTime();
                setPassword(dbms, home, o.password, err);
                err.println("neo4j-launcher: password set in " + (System.nanoTime() - tp) / 1_000_000 + " ms");
            }
            waitForBolt(o.host, o.port, t0 + o.readyTimeout.toNanos());
        } catch (Exception e) {
            err.println("neo4j-launcher: ERROR not ready: " + e);
            System.exit(4);
            return;
        }

        if (o.pidFile != null) {
            try {
                Path parent = o.pidFile.toAbsolutePath().getParent();
                if (parent != null) Files.createDirectories(parent);
                Files.writeString(o.pidFile, ProcessHandle.current().pid() + "\n");
            } catch (IOException e) {
                err.println("neo4j-launcher: WARNING cannot write pid file " + o.pidFile + ": " + e);
            }
        }

        long ms = (System.nanoTime() - t0) / 1_000_000;
        err.println("neo4j-launcher: ready in " + ms + " ms (pid " + ProcessHandle.current().pid() + ")");
        out.println("NEO4J_READY bolt://" + hostForUrl(o.host) + ":" + o.port);
        out.flush();

        try {
            done.await(); // until a signal runs the shutdown hook
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sets user neo4j's password. Idempotent: a marker file in the DBMS home holds a salted
     * SHA-256 of the last password set, so restarts with the same password skip the (cold,
     * ~2-3 s) Cypher round trip; "same password" errors are ignored as well.
     */
    private static void setPassword(DatabaseManagementService dbms, Path home, String password, PrintStream err)
            throws IOException {
        Path marker = home.resolve("kos-password.sha256");
        String digest = sha256("knowledge-os:" + password);
        if (Files.isRegularFile(marker) && Files.readString(marker).trim().equals(digest)) {
            err.println("neo4j-launcher: auth enabled, user 'neo4j' password unchanged");
            return;
        }
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (!(msg.contains("same") || msg.contains("old password"))) throw e;
            // Already set to this password by a previous run; make sure no change is required.
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        }
        Files.writeString(marker, digest + "\n");
        err.println("neo4j-launcher: auth enabled, user 'neo4j' password set");
    }

    private static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (byte b : d) sb.append(String.format("%02x", b));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Real Bolt handshake (magic + version proposals); returns once the server picks a version. */
    private static void waitForBolt(String host, int port, long deadlineNanos) throws Exception {
        Exception last = null;
        while (System.nanoTime() < deadlineNanos) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                s.setSoTimeout(2000);
                OutputStream os = s.getOutputStream();
                os.write(new byte[] {
                    (byte) 0x60, (byte) 0x60, (byte) 0xB0, (byte) 0x17,
                    0x00, 0x08, 0x08, 0x05, // 5.0 .. 5.8
                    0x00, 0x00, 0x04, 0x04, // 4.4
                    0x00, 0x00, 0x00, 0x00,
                    0x00, 0x00, 0x00, 0x00});
                os.flush();
                byte[] resp = new byte[4];
                new DataInputStream(s.getInputStream()).readFully(resp);
                if (resp[2] != 0 || resp[3] != 0) return; // agreed version != 0.0
                last = new IOException("Bolt handshake: no common version");
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Bolt not answering on " + host + ":" + port, last);
    }

    private static boolean portFree(String host, int port) {
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private static final class Options {
        Path dataDir = Paths.get(".services", "neo4j");
        String host = "127.0.0.1";
        int port = 7687;
        String password;
        long pagecacheBytes = 64L * 1024 * 1024;
        Path pidFile;
        boolean clean;
        boolean help;
        Duration readyTimeout = Duration.ofSeconds(120);

        static Options parse(String[] argv) {
            Options o = new Options();
            Map<String, String> env = System.getenv();
            if (env.get("NEO4J_DATA_DIR") != null) o.dataDir = Paths.get(env.get("NEO4J_DATA_DIR"));
            if (env.get("NEO4J_BOLT_HOST") != null) o.host = env.get("NEO4J_BOLT_HOST");
            if (env.get("NEO4J_BOLT_PORT") != null) o.port = parsePort(env.get("NEO4J_BOLT_PORT"));
            if (env.get("NEO4J_PAGECACHE") != null) o.pagecacheBytes = parseSize(env.get("NEO4J_PAGECACHE"));
            if (env.get("NEO4J_PID_FILE") != null) o.pidFile = Paths.get(env.get("NEO4J_PID_FILE"));
            String auth = env.getOrDefault("NEO4J_AUTH", "none");
            if (!auth.isEmpty() && !auth.equalsIgnoreCase("none")) {
                if (!auth.startsWith("neo4j/") || auth.length() <= "neo4j/".length()) {
                    throw new IllegalArgumentException("NEO4J_AUTH must be 'none' or 'neo4j/<password>'");
                }
                o.password = auth.substring("neo4j/".length());
            }
            if (env.get("NEO4J_PASSWORD") != null && !env.get("NEO4J_PASSWORD").isEmpty()) {
                o.password = env.get("NEO4J_PASSWORD");
            }
            boolean noAuth = false;
            for (int i = 0; i < argv.length; i++) {
                String a = argv[i];
                String v = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    v = a.substring(eq + 1);
                    a = a.substring(0, eq);
                }
                switch (a) {
                    case "-h", "--help" -> o.help = true;
                    case "--clean" -> o.clean = true;
                    case "--no-auth" -> noAuth = true;
                    case "--data-dir" -> o.dataDir = Paths.get(v != null ? v : next(argv, ++i, a));
                    case "--host" -> o.host = v != null ? v : next(argv, ++i, a);
                    case "--port" -> o.port = parsePort(v != null ? v : next(argv, ++i, a));
                    case "--password" -> o.password = v != null ? v : next(argv, ++i, a);
                    case "--pagecache" -> o.pagecacheBytes = parseSize(v != null ? v : next(argv, ++i, a));
                    case "--pid-file" -> o.pidFile = Paths.get(v != null ? v : next(argv, ++i, a));
                    case "--ready-timeout" -> o.readyTimeout =
                            Duration.ofSeconds(Long.parseLong(v != null ? v : next(argv, ++i, a)));
                    default -> throw new IllegalArgumentException("unknown option: " + argv[i]);
                }
            }
            if (noAuth) o.password = null;
            if (o.password != null && o.password.isEmpty()) o.password = null;
            return o;
        }

        private static String next(String[] argv, int i, String flag) {
            if (i >= argv.length) throw new IllegalArgumentException(flag + " needs a value");
            return argv[i];
        }

        private static int parsePort(String s) {
            try {
                int p = Integer.parseInt(s.trim());
                if (p < 1 || p > 65535) throw new NumberFormatException();
                return p;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port: " + s);
            }
        }

        static long parseSize(String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            long mult = 1;
            if (t.endsWith("k")) mult = 1024L;
            else if (t.endsWith("m")) mult = 1024L * 1024;
            else if (t.endsWith("g")) mult = 1024L * 1024 * 1024;
            if (mult != 1) t = t.substring(0, t.length() - 1);
            try {
                return Long.parseLong(t) * mult;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad size: " + s + " (use e.g. 64m)");
            }
        }
    }
}
