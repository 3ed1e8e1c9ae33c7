package dev.stowaway.vault.identity;

/** AssumeRole's answer: the session's credentials and who it is ({@code ROLEID:SESSION}, assumed-role ARN). */
public record AssumedRole(NewSession credentials, String assumedRoleId, String arn) {}
