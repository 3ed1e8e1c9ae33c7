package dev.stowaway.vault.secrets;

import java.util.List;

/**
 * ListSecrets' input.
 *
 * @param maxResults null for the default page size
 * @param ascending sort by creation date, oldest first
 */
public record ListQuery(
    List<SecretFilter> filters, Integer maxResults, String nextToken, boolean ascending, boolean includePlannedDeletion) {
  public ListQuery {
    filters = filters == null ? List.of() : List.copyOf(filters);
  }
}
