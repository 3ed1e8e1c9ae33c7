package dev.stowaway.sidecar.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A config file: one flat mapping of setting names to values, in YAML or JSON (YAML reads both).
 * Anything else, or a name that is no setting, is refused with the file and the name, so a typo
 * never silently falls back to a default.
 */
final class ConfigFile {

  private static final YAMLMapper YAML = new YAMLMapper();

  private ConfigFile() {}

  static Map<String, String> read(Path file, Set<String> known) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such config file");
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw new ConfigException(file + ": not valid YAML or JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return settings; // an empty file sets nothing
    }
    if (!root.isObject()) {
      throw new ConfigException(file + ": must be a mapping of settings (name: value), not "
          + (root.isArray() ? "a list" : "a single value"));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (name.equals("store-password") || name.equals("store-user")) {
        throw new ConfigException(file + ": " + name + " does not belong in a config file: use "
            + "STOWAWAY_STORE_USER/STOWAWAY_STORE_PASSWORD or store-credentials-file");
      }
      if (!known.contains(name)) {
        throw new ConfigException(file + ": unknown setting '" + name + "' (settings: " + String.join(", ", known)
            + ")");
      }
      if (!value.isValueNode() || value.isNull()) {
        throw new ConfigException(file + ": setting '" + name + "' must be a single value");
      }
      settings.put(name, value.asText());
    }
    return settings;
  }
}
