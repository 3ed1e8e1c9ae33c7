package dev.stowaway.agent.resolve;

/** One placeholder found in a string: where it starts and ends ({@code end} exclusive), and what it names. */
public record Placeholder(int start, int end, Reference reference) {}
