package dev.stowaway.agent.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * A long-running application driven over stdin: {@code prop NAME} prints {@code NAME=VALUE} as
 * {@code System.getProperty} returns it now; {@code exit} ends it. Prints {@code ready} first.
 */
public final class CommandApp {

  private CommandApp() {}

  public static void main(String[] args) throws Exception {
    System.out.println("ready");
    System.out.flush();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
      for (String line = in.readLine(); line != null && !line.equals("exit"); line = in.readLine()) {
        if (line.startsWith("prop ")) {
          String name = line.substring(5);
          System.out.println(name + "=" + System.getProperty(name));
          System.out.flush();
        }
      }
    }
  }
}
