"""Assignments: a lead asks their department (or chosen members) to complete modules by a date."""
