package dev.stowaway.vault.secrets;

import java.util.List;

/**
 * ListSecrets' input.
 *
 * @param maxResults null for the default page size
 * @param sortBy null for creation date
 * @param ascending oldest (or A) first
 */
public record ListQuery(List<SecretFilter> filters, Integer maxResults, String nextToken, SortKey sortBy,
    boolean ascending, boolean includePlannedDeletion) {

  public ListQuery {
    filters = filters == null ? List.of() : List.copyOf(filters);
    sortBy = sortBy == null ? SortKey.CREATED_DATE : sortBy;
  }

  /** Sorted by creation date. */
  public ListQuery(List<SecretFilter> filters, Integer maxResults, String nextToken, boolean ascending,
      boolean includePlannedDeletion) {
    this(filters, maxResults, nextToken, SortKey.CREATED_DATE, ascending, includePlannedDeletion);
  }
}
