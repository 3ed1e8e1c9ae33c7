package dev.stowaway.sidecar.rotation;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.config.Destinations;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Rotators outside the sidecar, each step sent as the Lambda event AWS sends
 * ({@code {"Step", "SecretId", "ClientRequestToken", "RotationToken"}}). The handler does what a
 * rotation Lambda does: in createSecret it puts the new value with {@code PutSecretValue}
 * (ClientRequestToken = the token, VersionStages = AWSPENDING), and so on.
 */
final class ExternalRotators {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ExternalRotators() {}

  static byte[] event(String step, String secretArn, String token, String rotationToken) {
    Map<String, String> event = new LinkedHashMap<>();
    event.put("Step", step);
    event.put("SecretId", secretArn);
    event.put("ClientRequestToken", token);
    event.put("RotationToken", rotationToken);
    try {
      return JSON.writeValueAsBytes(event);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** POSTs each step to a URL; a 2xx answer means the step succeeded, anything else that it failed. */
  record Webhook(URI uri, HttpClient http, Duration timeout) implements Rotator.External {
    @Override
    public void step(String step, String secretArn, String token, String rotationToken) throws RotationException {
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(event(step, secretArn, token, rotationToken))).build();
      try {
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status / 100 != 2) {
          throw new RotationException(step + ": the rotation webhook " + Destinations.shown(uri) + " answered " + status);
        }
      } catch (IOException e) {
        throw new RotationException(step + ": the rotation webhook " + Destinations.shown(uri) + " could not be reached: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RotationException(step + ": interrupted");
      }
    }
  }

  /** Runs a command for each step with the event on stdin; exit status 0 means the step succeeded. */
  record Exec(Path executable, Duration timeout) implements Rotator.External {
    @Override
    public void step(String step, String secretArn, String token, String rotationToken) throws RotationException {
      if (!Files.isExecutable(executable)) {
        throw new RotationException(step + ": " + executable + " is not an executable file");
      }
      try {
        Process process = new ProcessBuilder(executable.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        try (var stdin = process.getOutputStream()) {
          stdin.write(event(step, secretArn, token, rotationToken));
        } catch (IOException e) {
          // it may not read its input; its exit status decides
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new RotationException(step + ": " + executable + " did not finish within " + timeout.toSeconds() + " s");
        }
        if (process.exitValue() != 0) {
          throw new RotationException(step + ": " + executable + " exited with " + process.exitValue());
        }
      } catch (IOException e) {
        throw new RotationException(step + ": cannot run " + executable + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RotationException(step + ": interrupted");
      }
    }
  }
}
