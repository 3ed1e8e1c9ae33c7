package dev.stowaway.sidecar.rotation;

import java.net.InetAddress;
import java.net.Socket;
import java.util.Properties;
import javax.net.SocketFactory;

/**
 * A socket factory a hostile secret names: it is on the sidecar's class path in tests, so a driver
 * told to use it would make one, and the flag would say so.
 */
public final class MarkerSocketFactory extends SocketFactory {

  static volatile boolean made;

  public MarkerSocketFactory() {
    made = true;
  }

  public MarkerSocketFactory(Properties info) {
    made = true;
  }

  public MarkerSocketFactory(String arg) {
    made = true;
  }

  @Override
  public Socket createSocket() {
    return new Socket();
  }

  @Override
  public Socket createSocket(String host, int port) throws java.io.IOException {
    return new Socket(host, port);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws java.io.IOException {
    return new Socket(host, port, localHost, localPort);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws java.io.IOException {
    return new Socket(host, port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws java.io.IOException {
    return new Socket(address, port, localAddress, localPort);
  }
}
