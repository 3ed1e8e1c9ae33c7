package dev.stowaway.probe;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A JDBC driver that accepts {@code jdbc:probe:} URLs and connects nowhere: enough for a test to
 * see whether the agent hooked it, wherever it was defined from. Outside the agent's packages,
 * which the agent never weaves.
 */
public final class ProbeDriver implements Driver {

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    throw new SQLException("the probe driver connects nowhere");
  }

  @Override
  public boolean acceptsURL(String url) {
    return url != null && url.startsWith("jdbc:probe:");
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
    return new DriverPropertyInfo[0];
  }

  @Override
  public int getMajorVersion() {
    return 1;
  }

  @Override
  public int getMinorVersion() {
    return 0;
  }

  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getGlobal();
  }
}
