// Launcher starts an embedded Neo4j Community server with the Bolt connector
// on a loopback port, for iamreach's integration tests and for developers
// (see scripts/neo4j-test-server). Run in source-file mode:
//
//	java -cp '.build/neo4j/lib/*' scripts/neo4j/Launcher.java <dataDir> <port>
//
// It prints "BOLT bolt://127.0.0.1:<port>" when the server accepts
// connections and shuts the database down cleanly on SIGTERM/SIGINT.
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

public class Launcher {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Launcher <dataDir> <port>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Files.createDirectories(home);
        Path conf = home.resolve("neo4j.conf");
        // Loopback only, no auth (a throwaway test database), memory capped so
        // it shares a small machine, no HTTP/usage reporting.
        String settings = String.join("\n",
                "server.bolt.enabled=true",
                "server.bolt.listen_address=127.0.0.1:" + port,
                "server.bolt.advertised_address=127.0.0.1:" + port,
                "server.default_listen_address=127.0.0.1",
                "server.http.enabled=false",
                "server.https.enabled=false",
                // NEO4J_TEST_AUTH=1: auth on (user neo4j, initial password
                // never set), for tests of rejected credentials.
                "dbms.security.auth_enabled=" + ("1".equals(env("NEO4J_TEST_AUTH", "")) ? "true" : "false"),
                "server.memory.pagecache.size=" + env("NEO4J_TEST_PAGECACHE", "256m"),
                "db.memory.transaction.total.max=512m",
                "dbms.usage_report.enabled=false",
                "db.tx_log.rotation.retention_policy=1M size",
                "");
        writeConf(conf, settings);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(conf)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            System.out.println("STOPPED");
            System.out.flush();
            stopped.countDown();
        }));
        System.out.println("BOLT bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    private static void writeConf(Path conf, String settings) throws IOException {
        Files.writeString(conf, settings);
    }
}
