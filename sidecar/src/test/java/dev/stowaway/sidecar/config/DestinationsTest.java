package dev.stowaway.sidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DestinationsTest {

  private final Destinations loopback = Destinations.parse("rotation-targets", Destinations.LOOPBACK);

  @Test
  void theDefaultAllowsLoopbackOnAnyPortForAnyEngine() {
    assertTrue(loopback.allows("postgresql", "127.0.0.1", 5432, null));
    assertTrue(loopback.allows("mariadb", "LOCALHOST", 3307, null));
    assertTrue(loopback.allows("postgresql", "::1", 5432, null));
    assertFalse(loopback.allows("postgresql", "127.0.0.1.nip.io", 5432, null));
    assertFalse(loopback.allows("postgresql", "10.0.0.5", 5432, null));
  }

  @Test
  void theDefaultAllowsNoH2File() {
    assertFalse(loopback.allowsH2(Path.of("/tmp/db")));
  }

  @Test
  void aPatternNamesSchemeHostAndPort() {
    Destinations d = Destinations.parse("rotation-targets", "postgresql://*.db.internal:5432,mariadb://10.0.0.7");
    assertTrue(d.allows("postgresql", "orders.db.internal", 5432, null));
    assertFalse(d.allows("postgresql", "orders.db.internal", 5433, null));
    assertFalse(d.allows("mariadb", "orders.db.internal", 5432, null));
    assertTrue(d.allows("mariadb", "10.0.0.7", 3306, null), "no port: the engine's default");
    assertFalse(d.allows("mariadb", "10.0.0.7", 3307, null));
  }

  @Test
  void aStarInAHostStaysWithinOneLabel() {
    Destinations d = Destinations.parse("rotation-targets", "postgresql://10.0.0.*:5432,postgresql://db-*:5432");
    assertTrue(d.allows("postgresql", "10.0.0.5", 5432, null));
    assertFalse(d.allows("postgresql", "10.0.0.5.attacker.example", 5432, null));
    assertFalse(d.allows("postgresql", "db-1.attacker.example", 5432, null));
    assertTrue(Destinations.parse("rotation-targets", "postgresql://*:5432").allows("postgresql", "a.b.c", 5432, null),
        "a whole * is any host");
  }

  @Test
  void encodedDotsSlashesAndPathParametersAreRefused() {
    Destinations d = Destinations.parse("event-target-urls", "https://hooks.example.com/services/*");
    assertFalse(d.allowsUrl(URI.create("https://hooks.example.com/services/%2e%2e/admin")));
    assertFalse(d.allowsUrl(URI.create("https://hooks.example.com/services/..;/admin")));
    assertFalse(d.allowsUrl(URI.create("https://hooks.example.com/services/%2F..%2Fadmin")));
  }

  @Test
  void urlsNeedHttpAndMatchTheirPath() {
    Destinations d = Destinations.parse("event-target-urls", "https://hooks.example.com/services/*");
    assertTrue(d.allowsUrl(URI.create("https://hooks.example.com/services/T1/B2")));
    assertTrue(d.allowsUrl(URI.create("https://hooks.example.com:443/services/x")));
    assertFalse(d.allowsUrl(URI.create("https://hooks.example.com/services/../admin")), "normalized first");
    assertFalse(d.allowsUrl(URI.create("http://hooks.example.com/services/x")));
    assertFalse(d.allowsUrl(URI.create("https://user@hooks.example.com/services/x")), "no user info");
    assertFalse(d.allowsUrl(URI.create("file:///etc/passwd")));
  }

  @Test
  void aUrlIsShownWithoutUserInfoOrQuery() {
    assertEquals("https://hooks.example.com:8443/services/T1",
        Destinations.shown(URI.create("https://bot:s3cret@hooks.example.com:8443/services/T1?token=abc")));
  }

  @Test
  void h2PatternsAreGlobsOverAbsolutePaths() {
    Destinations d = Destinations.parse("rotation-targets", "h2:/srv/h2/*,h2:/data/**");
    assertTrue(d.allowsH2(Path.of("/srv/h2/orders")));
    assertFalse(d.allowsH2(Path.of("/srv/h2/deeper/orders")));
    assertTrue(d.allowsH2(Path.of("/data/a/b/c")));
    assertFalse(d.allowsH2(Path.of("/srv/other")));
  }

  @Test
  void aBadPatternIsRefusedWithTheSettingsName() {
    ConfigException e = assertThrows(ConfigException.class, () -> Destinations.parse("rotation-targets",
        "postgres ql://x"));
    assertEquals("--rotation-targets: 'postgres ql://x' is not a destination pattern (use SCHEME://HOST:PORT such as "
        + "postgresql://10.0.0.5:5432 or *://127.0.0.1:*, or h2:/PATH-GLOB)", e.getMessage());
    assertEquals("--rotation-targets: 'h2:relative/*' must name an absolute path pattern, as in h2:/srv/h2/**",
        assertThrows(ConfigException.class, () -> Destinations.parse("rotation-targets", "h2:relative/*"))
            .getMessage());
  }
}
