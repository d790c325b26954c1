import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

/**
 * Whether the field being resolved asks for a subfield `name`, directly or
 * through fragments, so a list resolver can read what its items will ask for
 * in the same statement. @skip/@include are not evaluated: a skipped subfield
 * still counts, which only costs a prefetch nobody reads.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  // Validation has refused fragment cycles, so this ends.
  const asks = (selectionSet: SelectionSetNode | undefined): boolean =>
    selectionSet?.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return asks(selection.selectionSet);
      return asks(info.fragments[selection.name.value]?.selectionSet);
    }) ?? false;
  return info.fieldNodes.some((node) => asks(node.selectionSet));
}
